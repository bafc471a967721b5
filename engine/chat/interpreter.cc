// Statements: output, control flow, scopes and macros.
#include "engine/chat/interpreter.h"

#include <fmt/format.h>

#include "engine/chat/builtins.h"
#include "engine/chat/value_format.h"

namespace hfd::chat {

Result<std::string> Interpreter::Render(const Body& body,
                                        std::vector<std::pair<std::string, Value>> variables) {
  frames_.clear();
  std::vector<std::pair<std::string, Value>> globals;
  AddGlobals(&globals);
  frames_.push_back({std::move(globals), -1});
  for (auto& [name, value] : variables) Define(std::move(name), std::move(value));
  std::string out;
  HFD_RETURN_IF_ERROR(Exec(body, &out));
  return out;
}

Status Interpreter::ErrorAt(SourcePos pos, std::string_view message) const {
  return InvalidArgument(
      fmt::format("chat template error at line {}, column {}: {}", pos.line, pos.column, message));
}

Status Interpreter::AddPosition(const Status& s, SourcePos pos) const {
  if (s.ok() || raised_ || s.message().rfind("chat template", 0) == 0) return s;
  return Status(s.code(), fmt::format("chat template error at line {}, column {}: {}", pos.line,
                                      pos.column, s.message()));
}

Status Interpreter::Charge(size_t units) {
  steps_ += static_cast<int64_t>(units);
  if (steps_ > limits_.max_steps) {
    return TooLarge(fmt::format(
        "chat template needs more than {} evaluation steps; it is too expensive to render "
        "(a loop that never ends, or an enormous input)",
        limits_.max_steps));
  }
  return Status::Ok();
}

Status Interpreter::CheckStringSize(size_t bytes) const {
  if (bytes > limits_.max_output_bytes) {
    return TooLarge(fmt::format("chat template built a string of more than {} bytes",
                                limits_.max_output_bytes));
  }
  return Status::Ok();
}

Result<std::string> Interpreter::Stringify(const Value& v) {
  std::string s = ToStr(v, limits_.max_output_bytes);
  HFD_RETURN_IF_ERROR(CheckStringSize(s.size()));
  HFD_RETURN_IF_ERROR(Charge(s.size() / 64));
  return s;
}

Status Interpreter::CheckValueDepth(const Value& v) const {
  if (v.Depth() > limits_.max_value_depth) {
    return TooLarge(
        fmt::format("lists and dicts nested deeper than {} levels", limits_.max_value_depth));
  }
  return Status::Ok();
}

const Value* Interpreter::Lookup(std::string_view name) const {
  for (int i = Top(); i >= 0; i = frames_[static_cast<size_t>(i)].parent) {
    for (const auto& [k, v] : frames_[static_cast<size_t>(i)].vars) {
      if (k == name) return &v;
    }
  }
  return nullptr;
}

void Interpreter::Define(std::string name, Value value) {
  auto& vars = frames_.back().vars;
  for (auto& [k, v] : vars) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  vars.emplace_back(std::move(name), std::move(value));
}

Status Interpreter::Append(std::string_view text, std::string* out) {
  HFD_RETURN_IF_ERROR(CheckStringSize(out->size() + text.size()));
  out->append(text);
  return Charge(text.size() / 64);
}

Status Interpreter::Exec(const Body& body, std::string* out) {
  for (const StmtPtr& s : body) {
    HFD_RETURN_IF_ERROR(ExecStmt(*s, out));
    if (flow_ != Flow::kNormal) return Status::Ok();
  }
  return Status::Ok();
}

Status Interpreter::ExecStmt(const Stmt& s, std::string* out) {
  DepthGuard depth(this);
  if (depth.exceeded()) return ErrorAt(s.pos, "templates nest too deeply (macro recursion?)");
  HFD_RETURN_IF_ERROR(Charge(1));
  switch (s.kind) {
    case Stmt::Kind::kText:
      return Append(s.text, out);
    case Stmt::Kind::kOutput: {
      HFD_ASSIGN_OR_RETURN(Value v, Eval(*s.expr));
      if (v.is_string()) return Append(v.as_string(), out);
      HFD_ASSIGN_OR_RETURN(std::string text, Stringify(v));
      return Append(text, out);
    }
    case Stmt::Kind::kIf:
      for (size_t i = 0; i < s.conds.size(); ++i) {
        HFD_ASSIGN_OR_RETURN(Value c, Eval(*s.conds[i]));
        if (c.Truthy()) return Exec(s.bodies[i], out);
      }
      return Exec(s.else_body, out);
    case Stmt::Kind::kFor:
      return ExecFor(s, out);
    case Stmt::Kind::kSet:
      return ExecSet(s);
    case Stmt::Kind::kMacro: {
      auto c = std::make_shared<Callable>();
      c->name = s.name;
      c->macro = &s;
      Define(s.name, Value(std::shared_ptr<const Callable>(std::move(c))));
      return Status::Ok();
    }
    case Stmt::Kind::kCallBlock:
      return ExecCallBlock(s, out);
    case Stmt::Kind::kFilterBlock: {
      std::string inner;
      HFD_RETURN_IF_ERROR(Exec(s.body, &inner));
      // Apply the chain innermost first: the chain's deepest node has no input.
      std::vector<const Expr*> chain;
      for (const Expr* f = s.filter.get(); f != nullptr; f = f->object.get()) chain.push_back(f);
      Value v(std::move(inner));
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(**it));
        auto r = ApplyFilter((*it)->name, v, args);
        if (!r.ok()) return AddPosition(r.status(), (*it)->pos);
        v = std::move(r).value();
      }
      HFD_ASSIGN_OR_RETURN(std::string text, Stringify(v));
      return Append(text, out);
    }
    case Stmt::Kind::kBreak:
    case Stmt::Kind::kContinue:
      if (loop_depth_ == 0) return ErrorAt(s.pos, "'break' or 'continue' outside a loop");
      flow_ = s.kind == Stmt::Kind::kBreak ? Flow::kBreak : Flow::kContinue;
      return Status::Ok();
    case Stmt::Kind::kScope:
      return Exec(s.body, out);
  }
  return Status::Ok();
}

Status Interpreter::ExecFor(const Stmt& s, std::string* out) {
  HFD_ASSIGN_OR_RETURN(Value iterable, Eval(*s.expr));
  auto items_or = Iterate(iterable, s.expr->pos);
  if (!items_or.ok()) return items_or.status();
  std::vector<Value> items = std::move(items_or).value();
  HFD_RETURN_IF_ERROR(Charge(items.size()));

  FrameGuard frame(this, Top());
  auto bind = [&](const Value& item) -> Status {
    if (s.targets.size() == 1) {
      Define(s.targets[0], item);
      return Status::Ok();
    }
    auto parts = ValuesOf(item);
    if (!parts.ok() || parts->size() != s.targets.size()) {
      return ErrorAt(s.pos, fmt::format("cannot unpack {} into {} loop variables", item.TypeName(),
                                        s.targets.size()));
    }
    for (size_t k = 0; k < s.targets.size(); ++k) Define(s.targets[k], (*parts)[k]);
    return Status::Ok();
  };
  if (s.filter) {
    std::vector<Value> kept;
    for (Value& item : items) {
      HFD_RETURN_IF_ERROR(bind(item));
      HFD_ASSIGN_OR_RETURN(Value keep, Eval(*s.filter));
      if (keep.Truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  ++loop_depth_;
  const int64_t n = static_cast<int64_t>(items.size());
  Status status;
  for (int64_t i = 0; i < n && status.ok(); ++i) {
    const Value& item = items[static_cast<size_t>(i)];
    status = bind(item);
    if (!status.ok()) break;
    Define("loop", Value::MakeDict({
                       {"index", Value(i + 1)},
                       {"index0", Value(i)},
                       {"revindex", Value(n - i)},
                       {"revindex0", Value(n - i - 1)},
                       {"first", Value(i == 0)},
                       {"last", Value(i == n - 1)},
                       {"length", Value(n)},
                       {"depth", Value(1)},
                       {"depth0", Value(0)},
                       {"previtem", i > 0 ? items[static_cast<size_t>(i - 1)] : Value()},
                       {"nextitem", i + 1 < n ? items[static_cast<size_t>(i + 1)] : Value()},
                   }));
    status = Exec(s.body, out);
    if (flow_ == Flow::kBreak) {
      flow_ = Flow::kNormal;
      break;
    }
    flow_ = Flow::kNormal;
  }
  --loop_depth_;
  HFD_RETURN_IF_ERROR(status);
  if (n == 0) return Exec(s.else_body, out);
  return Status::Ok();
}

Status Interpreter::ExecSet(const Stmt& s) {
  Value v;
  if (s.expr) {
    HFD_ASSIGN_OR_RETURN(v, Eval(*s.expr));
  } else {
    std::string inner;
    HFD_RETURN_IF_ERROR(Exec(s.body, &inner));
    v = Value(std::move(inner));
    if (s.filter) {
      std::vector<const Expr*> chain;
      for (const Expr* f = s.filter.get(); f != nullptr; f = f->object.get()) chain.push_back(f);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(**it));
        auto r = ApplyFilter((*it)->name, v, args);
        if (!r.ok()) return AddPosition(r.status(), (*it)->pos);
        v = std::move(r).value();
      }
    }
  }
  if (!s.target_object.empty()) {
    const Value* ns = Lookup(s.target_object);
    if (ns == nullptr || !ns->is_dict() || !ns->as_dict().is_namespace) {
      return ErrorAt(s.pos, fmt::format("cannot set an attribute of '{}': only namespace() "
                                        "objects can be changed",
                                        s.target_object));
    }
    if (v.MayCycle()) {
      return ErrorAt(s.pos, "a namespace attribute cannot hold a namespace or a function");
    }
    ns->mutable_dict().Set(s.target_attr, std::move(v));
    return CheckValueDepth(*ns);
  }
  if (s.targets.size() == 1) {
    Define(s.targets[0], std::move(v));
    return Status::Ok();
  }
  auto parts = ValuesOf(v);
  if (!parts.ok() || parts->size() != s.targets.size()) {
    return ErrorAt(s.pos,
                   fmt::format("cannot unpack {} into {} names", v.TypeName(), s.targets.size()));
  }
  for (size_t k = 0; k < s.targets.size(); ++k) Define(s.targets[k], (*parts)[k]);
  return Status::Ok();
}

Status Interpreter::ExecCallBlock(const Stmt& s, std::string* out) {
  auto caller = std::make_shared<Callable>();
  caller->name = "caller";
  caller->macro = &s;
  caller->scope = Top();
  Value caller_value(std::shared_ptr<const Callable>(std::move(caller)));
  const Expr& call = *s.expr;
  HFD_ASSIGN_OR_RETURN(Value callee, Eval(*call.object));
  HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(call));
  auto r = CallValue(callee, args, &caller_value);
  if (!r.ok()) return AddPosition(r.status(), call.pos);
  HFD_ASSIGN_OR_RETURN(std::string text, Stringify(*r));
  return Append(text, out);
}

Result<Value> Interpreter::CallValue(const Value& callee, const CallArgs& args,
                                     const Value* caller) {
  if (!callee.is_callable()) {
    std::string what = callee.is_undefined() ? "'" + callee.undefined_name() + "' is undefined"
                                             : std::string(callee.TypeName());
    return InvalidArgument(fmt::format("cannot call {}", what));
  }
  const Callable& c = callee.as_callable();
  if (c.builtin) return c.builtin(*this, args);
  return CallMacro(c, args, caller);
}

Result<Value> Interpreter::CallMacro(const Callable& c, const CallArgs& args, const Value* caller) {
  const Stmt& m = *c.macro;
  const bool is_caller = m.kind == Stmt::Kind::kCallBlock;
  if (is_caller && c.scope > Top()) return InvalidArgument("caller() used outside its call block");
  const Params& params = m.params;
  if (args.positional.size() > params.names.size()) {
    return InvalidArgument(fmt::format("{}() takes {} arguments, {} given", c.name,
                                       params.names.size(), args.positional.size()));
  }
  FrameGuard frame(this, is_caller ? c.scope : 0);
  for (const auto& [k, v] : args.keyword) {
    bool known = false;
    for (const std::string& p : params.names) known = known || p == k;
    if (!known) return InvalidArgument(fmt::format("{}() has no parameter '{}'", c.name, k));
  }
  for (size_t i = 0; i < params.names.size(); ++i) {
    const Value* given = args.Get(i, params.names[i]);
    if (given != nullptr) {
      Define(params.names[i], *given);
    } else if (params.defaults[i]) {
      HFD_ASSIGN_OR_RETURN(Value def, Eval(*params.defaults[i]));
      Define(params.names[i], std::move(def));
    } else {
      Define(params.names[i], Value::UndefinedNamed(params.names[i]));
    }
  }
  if (caller != nullptr) Define("caller", *caller);
  int saved_loops = loop_depth_;
  loop_depth_ = 0;
  std::string out;
  Status status = Exec(m.body, &out);
  loop_depth_ = saved_loops;
  flow_ = Flow::kNormal;
  HFD_RETURN_IF_ERROR(status);
  return Value(std::move(out));
}

const Value* CallArgs::Get(size_t index, std::string_view name) const {
  for (const auto& [k, v] : keyword) {
    if (k == name) return &v;
  }
  return index < positional.size() ? &positional[index] : nullptr;
}

}  // namespace hfd::chat
