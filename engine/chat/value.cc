#include "engine/chat/value.h"

#include <algorithm>

namespace hfd::chat {
namespace {

bool ContainerMayCycle(const std::vector<Value>& items) {
  return std::any_of(items.begin(), items.end(), [](const Value& v) { return v.MayCycle(); });
}

int ItemsDepth(const std::vector<Value>& items) {
  int depth = 0;
  for (const Value& v : items) depth = std::max(depth, v.Depth());
  return depth + 1;
}

int EntriesDepth(const std::vector<std::pair<std::string, Value>>& entries) {
  int depth = 0;
  for (const auto& e : entries) depth = std::max(depth, e.second.Depth());
  return depth + 1;
}

bool EntriesMayCycle(const std::vector<std::pair<std::string, Value>>& entries) {
  return std::any_of(entries.begin(), entries.end(),
                     [](const auto& e) { return e.second.MayCycle(); });
}

}  // namespace

Value Value::MakeList(std::vector<Value> items) {
  auto data = std::make_shared<ListData>();
  data->may_cycle = ContainerMayCycle(items);
  data->depth = ItemsDepth(items);
  data->items = std::move(items);
  return Value(std::shared_ptr<const ListData>(std::move(data)));
}

Value Value::MakeDict(std::vector<std::pair<std::string, Value>> entries) {
  auto data = std::make_shared<DictData>();
  data->may_cycle = EntriesMayCycle(entries);
  data->depth = EntriesDepth(entries);
  data->entries = std::move(entries);
  return Value(std::move(data));
}

Value Value::MakeNamespace(std::vector<std::pair<std::string, Value>> entries) {
  Value v = MakeDict(std::move(entries));
  v.mutable_dict().is_namespace = true;
  return v;
}

double Value::as_float() const {
  if (is_float()) return std::get<double>(v_);
  return static_cast<double>(as_int());
}

const std::vector<Value>& Value::as_list() const {
  return std::get<std::shared_ptr<const ListData>>(v_)->items;
}

bool Value::Truthy() const {
  switch (kind()) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return as_bool();
    case Kind::kInt:
      return as_int() != 0;
    case Kind::kFloat:
      return as_float() != 0.0;
    case Kind::kString:
      return !as_string().empty();
    case Kind::kList:
      return !as_list().empty();
    case Kind::kDict:
      return !as_dict().entries.empty();
    case Kind::kCallable:
      return true;
  }
  return false;
}

bool Value::MayCycle() const {
  switch (kind()) {
    case Kind::kList:
      return std::get<std::shared_ptr<const ListData>>(v_)->may_cycle;
    case Kind::kDict:
      return as_dict().is_namespace || as_dict().may_cycle;
    case Kind::kCallable:
      return true;
    default:
      return false;
  }
}

int Value::Depth() const {
  if (is_list()) return std::get<std::shared_ptr<const ListData>>(v_)->depth;
  if (is_dict()) return as_dict().depth;
  return 0;
}

const void* Value::identity() const {
  switch (kind()) {
    case Kind::kList:
      return std::get<std::shared_ptr<const ListData>>(v_).get();
    case Kind::kDict:
      return std::get<std::shared_ptr<DictData>>(v_).get();
    case Kind::kCallable:
      return std::get<std::shared_ptr<const Callable>>(v_).get();
    default:
      return nullptr;
  }
}

std::string_view Value::TypeName() const {
  switch (kind()) {
    case Kind::kUndefined:
      return "undefined";
    case Kind::kNone:
      return "none";
    case Kind::kBool:
      return "boolean";
    case Kind::kInt:
      return "integer";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "string";
    case Kind::kList:
      return "list";
    case Kind::kDict:
      return as_dict().is_namespace ? "namespace" : "dict";
    case Kind::kCallable:
      return "function";
  }
  return "value";
}

const Value* DictData::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

void DictData::Set(std::string key, Value value) {
  may_cycle = may_cycle || value.MayCycle();
  depth = std::max(depth, value.Depth() + 1);
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(std::move(key), std::move(value));
}

bool Equal(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::kUndefined:
    case K::kNone:
      return true;
    case K::kString:
      return a.as_string() == b.as_string();
    case K::kList: {
      const auto& x = a.as_list();
      const auto& y = b.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!Equal(x[i], y[i])) return false;
      }
      return true;
    }
    case K::kDict: {
      if (a.identity() == b.identity()) return true;
      const auto& x = a.as_dict().entries;
      if (x.size() != b.as_dict().entries.size()) return false;
      for (const auto& [k, v] : x) {
        const Value* other = b.as_dict().Find(k);
        if (other == nullptr || !Equal(v, *other)) return false;
      }
      return true;
    }
    default:
      return a.identity() == b.identity();
  }
}

}  // namespace hfd::chat
