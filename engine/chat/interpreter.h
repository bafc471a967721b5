// Executes a parsed template. One Interpreter renders once, on one thread; the syntax tree
// it reads must outlive it. Scoping follows Jinja: `for` bodies and macros get their own
// scope, `if` does not, and only namespace attributes can be changed from an inner scope.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/chat/ast.h"
#include "engine/chat/callable.h"
#include "engine/chat/render_limits.h"
#include "engine/chat/value.h"
#include "hfd/status.h"

namespace hfd::chat {

class Interpreter {
 public:
  explicit Interpreter(const RenderLimits& limits) : limits_(limits) {}
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Renders `body` with `variables` (and the built-in globals) in the outermost scope.
  Result<std::string> Render(const Body& body,
                             std::vector<std::pair<std::string, Value>> variables);

  // For built-ins: call a function value, apply a filter or test by name.
  Result<Value> CallValue(const Value& callee, const CallArgs& args, const Value* caller);
  Result<Value> ApplyFilter(std::string_view name, const Value& input, const CallArgs& args);
  Result<bool> ApplyTest(std::string_view name, const Value& input, const CallArgs& args);

  // Spends `units` of the work budget; an error once it is exhausted.
  Status Charge(size_t units);
  // str(v) for output and string filters, within the output limit and work budget.
  Result<std::string> Stringify(const Value& v);
  // An error if a string of `bytes` would exceed the output limit.
  Status CheckStringSize(size_t bytes) const;
  // An error if a container nests deeper than the limit.
  Status CheckValueDepth(const Value& v) const;
  const RenderLimits& limits() const { return limits_; }

  // raise_exception() marks its error so it reaches the caller without a position prefix.
  void MarkRaised() { raised_ = true; }

 private:
  struct Frame {
    std::vector<std::pair<std::string, Value>> vars;
    int parent;
  };
  // Pushes a scope frame for the lifetime of the guard.
  class FrameGuard {
   public:
    FrameGuard(Interpreter* in, int parent) : in_(in) { in_->frames_.push_back({{}, parent}); }
    ~FrameGuard() { in_->frames_.pop_back(); }
    FrameGuard(const FrameGuard&) = delete;
    FrameGuard& operator=(const FrameGuard&) = delete;

   private:
    Interpreter* in_;
  };

  // Counts evaluation nesting, which bounds the native stack the render uses.
  class DepthGuard {
   public:
    explicit DepthGuard(Interpreter* in) : in_(in) { ++in_->depth_; }
    ~DepthGuard() { --in_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool exceeded() const { return in_->depth_ > in_->limits_.max_eval_depth; }

   private:
    Interpreter* in_;
  };

  Status Exec(const Body& body, std::string* out);
  Status ExecStmt(const Stmt& s, std::string* out);
  Status ExecFor(const Stmt& s, std::string* out);
  Status ExecSet(const Stmt& s);
  Status ExecCallBlock(const Stmt& s, std::string* out);
  Status Append(std::string_view text, std::string* out);

  Result<Value> Eval(const Expr& e);
  Result<Value> EvalInner(const Expr& e);
  Result<CallArgs> EvalArgs(const Expr& e);
  Result<Value> EvalCall(const Expr& e);
  Result<Value> EvalAttr(const Value& obj, const std::string& name, SourcePos pos);
  Result<Value> EvalIndex(const Value& obj, const Value& key, SourcePos pos);
  Result<Value> EvalSlice(const Expr& e);
  Result<Value> EvalBinary(const std::string& op, const Value& a, const Value& b, SourcePos pos);
  Result<Value> EvalCompare(const Expr& e);
  Result<Value> CallMacro(const Callable& c, const CallArgs& args, const Value* caller);
  Result<std::vector<Value>> Iterate(const Value& v, SourcePos pos);

  Status ErrorAt(SourcePos pos, std::string_view message) const;
  Status AddPosition(const Status& s, SourcePos pos) const;

  const Value* Lookup(std::string_view name) const;
  void Define(std::string name, Value value);
  int Top() const { return static_cast<int>(frames_.size()) - 1; }

  RenderLimits limits_;
  std::vector<Frame> frames_;
  int64_t steps_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
  enum class Flow { kNormal, kBreak, kContinue } flow_ = Flow::kNormal;
  bool raised_ = false;
};

// Iterable views used by filters as well: a list's items, a dict's keys, a string's
// characters (UTF-8 code points); undefined iterates as empty.
Result<std::vector<Value>> ValuesOf(const Value& v);

}  // namespace hfd::chat
