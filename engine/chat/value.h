// Values of the template language: undefined, none, bool, int, float, string, list, dict
// (insertion-ordered; a namespace is a mutable dict) and callables (globals and macros).
// Lists and plain dicts are immutable once built, as in transformers' immutable sandbox;
// only namespaces change, which is why they are shared by pointer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hfd::chat {

class Value;
struct ListData;
struct DictData;
struct Callable;

// The value of a name or key that does not exist; remembers the name for error messages.
struct Undefined {
  std::string name;
};

class Value {
 public:
  enum class Kind { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kDict, kCallable };

  Value() = default;  // undefined
  static Value None() { return Value(std::nullptr_t{}); }
  static Value UndefinedNamed(std::string name) { return Value(Undefined{std::move(name)}); }
  explicit Value(bool b) : v_(b) {}
  explicit Value(int64_t i) : v_(i) {}
  explicit Value(int i) : v_(int64_t{i}) {}
  explicit Value(double d) : v_(d) {}
  explicit Value(std::string s) : v_(std::move(s)) {}
  explicit Value(std::string_view s) : v_(std::string(s)) {}
  explicit Value(const char* s) : v_(std::string(s)) {}
  explicit Value(std::shared_ptr<const ListData> l) : v_(std::move(l)) {}
  explicit Value(std::shared_ptr<DictData> d) : v_(std::move(d)) {}
  explicit Value(std::shared_ptr<const Callable> c) : v_(std::move(c)) {}

  // Builders for containers; they compute whether the new container may close a reference
  // cycle if stored in a namespace.
  static Value MakeList(std::vector<Value> items);
  static Value MakeDict(std::vector<std::pair<std::string, Value>> entries);
  static Value MakeNamespace(std::vector<std::pair<std::string, Value>> entries);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_undefined() const { return kind() == Kind::kUndefined; }
  bool is_none() const { return kind() == Kind::kNone; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_dict() const { return kind() == Kind::kDict; }
  bool is_callable() const { return kind() == Kind::kCallable; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return is_bool() ? int64_t{as_bool()} : std::get<int64_t>(v_); }
  double as_float() const;  // ints and bools widen
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const std::vector<Value>& as_list() const;
  const DictData& as_dict() const { return *std::get<std::shared_ptr<DictData>>(v_); }
  DictData& mutable_dict() const { return *std::get<std::shared_ptr<DictData>>(v_); }
  const Callable& as_callable() const { return *std::get<std::shared_ptr<const Callable>>(v_); }
  const std::string& undefined_name() const { return std::get<Undefined>(v_).name; }

  // Python truthiness: empty strings/containers, 0, none and undefined are false.
  bool Truthy() const;
  // True for namespaces, callables and containers holding either: storing such a value in
  // a namespace could create a reference cycle, so the interpreter refuses it.
  bool MayCycle() const;
  // Nesting depth of containers (0 for scalars); the interpreter bounds it so that
  // recursive walks (equality, printing, destruction) stay shallow.
  int Depth() const;
  // Identity of the shared container, for `is sameas`.
  const void* identity() const;

  // A name for error messages: "string", "list", ...
  std::string_view TypeName() const;

 private:
  explicit Value(std::nullptr_t) : v_(nullptr) {}
  explicit Value(Undefined u) : v_(std::move(u)) {}

  std::variant<Undefined, std::nullptr_t, bool, int64_t, double, std::string,
               std::shared_ptr<const ListData>, std::shared_ptr<DictData>,
               std::shared_ptr<const Callable>>
      v_;
};

struct ListData {
  std::vector<Value> items;
  bool may_cycle = false;
  int depth = 1;
};

struct DictData {
  std::vector<std::pair<std::string, Value>> entries;
  bool is_namespace = false;
  bool may_cycle = false;
  int depth = 1;

  // Null when absent.
  const Value* Find(std::string_view key) const;
  // Replaces or appends (namespaces only; plain dicts are built once).
  void Set(std::string key, Value value);
};

// Python equality: 1 == 1.0 == true, deep for lists and dicts (dicts ignore order).
bool Equal(const Value& a, const Value& b);

}  // namespace hfd::chat
