// The syntax tree of a parsed template. Nodes are plain structs owned by their parent
// through unique_ptr; the tree is immutable after parsing and may be shared by any number
// of concurrent renders.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/chat/value.h"

namespace hfd::chat {

struct SourcePos {
  int line = 1;
  int column = 1;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// One expression node. Which fields are used depends on `kind`:
//   kLiteral    value
//   kName       name
//   kList/kTuple args (elements)
//   kDict       args (key0, value0, key1, value1, ...)
//   kAttr       object, name
//   kIndex      object, args[0]
//   kSlice      object, args[0..2] = start, stop, step (each may be null)
//   kCall       object (callee), args, kwnames (parallel to args; "" for positional)
//   kFilter     object (input; null inside {% filter %}), name, args, kwnames
//   kTest       object, name, args, kwnames, negated
//   kUnary      name ("-", "+", "not"), object
//   kBinary     name (operator), args[0], args[1]
//   kCompare    args (operands), ops (one fewer), chained like Python: a < b < c
//   kAnd/kOr    args[0], args[1]
//   kTernary    args[0] = value if true, args[1] = condition, args[2] = else (may be null)
struct Expr {
  enum class Kind {
    kLiteral,
    kName,
    kList,
    kTuple,
    kDict,
    kAttr,
    kIndex,
    kSlice,
    kCall,
    kFilter,
    kTest,
    kUnary,
    kBinary,
    kCompare,
    kAnd,
    kOr,
    kTernary
  };
  Kind kind;
  SourcePos pos;
  Value value;
  std::string name;
  ExprPtr object;
  std::vector<ExprPtr> args;
  std::vector<std::string> kwnames;
  std::vector<std::string> ops;
  bool negated = false;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

// A macro's (or call block's) parameter list: names and optional default expressions.
struct Params {
  std::vector<std::string> names;
  std::vector<ExprPtr> defaults;  // parallel to names; null where none
};

// One statement node. Fields by kind:
//   kText       text
//   kOutput     expr
//   kIf         conds[i] guards bodies[i]; else_body
//   kFor        targets, expr (iterable), filter (may be null), body, else_body
//   kSet        targets (names) or target_object.target_attr; expr, or body (block set)
//               piped through filter (may be null)
//   kMacro      name, params, body
//   kCallBlock  params (of caller), expr (the call), body (caller's body)
//   kFilterBlock filter (chain whose innermost object is null), body
//   kBreak, kContinue
//   kScope      body (e.g. {% generation %}: rendered as is)
struct Stmt {
  enum class Kind {
    kText,
    kOutput,
    kIf,
    kFor,
    kSet,
    kMacro,
    kCallBlock,
    kFilterBlock,
    kBreak,
    kContinue,
    kScope
  };
  Kind kind;
  SourcePos pos;
  std::string text;
  std::string name;
  ExprPtr expr;
  ExprPtr filter;
  std::vector<ExprPtr> conds;
  std::vector<Body> bodies;
  Body body;
  Body else_body;
  std::vector<std::string> targets;
  std::string target_object;
  std::string target_attr;
  Params params;
};

}  // namespace hfd::chat
