#include "engine/chat/parser.h"

#include <charconv>
#include <cstdlib>
#include <initializer_list>

#include <fmt/format.h>

#include "engine/chat/builtins.h"
#include "engine/chat/lexer.h"

namespace hfd::chat {
namespace {

using TT = Token::Type;

ExprPtr MakeExpr(Expr::Kind kind, SourcePos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

StmtPtr MakeStmt(Stmt::Kind kind, SourcePos pos) {
  auto s = std::make_unique<Stmt>();
  s->kind = kind;
  s->pos = pos;
  return s;
}

std::string Describe(const Token& t) {
  switch (t.type) {
    case TT::kText:
      return "text";
    case TT::kExprOpen:
      return "'{{'";
    case TT::kExprClose:
      return "'}}'";
    case TT::kStmtOpen:
      return "'{%'";
    case TT::kStmtClose:
      return "'%}'";
    case TT::kString:
      return "a string";
    case TT::kInt:
    case TT::kFloat:
      return "number " + t.text;
    case TT::kEof:
      return "the end of the template";
    default:
      return "'" + t.text + "'";
  }
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Body> Run() {
    Body body;
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({}, &body, &end));
    return body;
  }

 private:
  // ---- token helpers ----
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(i_ + ahead, t_.size() - 1);
    return t_[i];
  }
  const Token& Next() {
    const Token& t = Peek();
    if (i_ < t_.size() - 1) ++i_;
    return t;
  }
  bool IsOp(std::string_view op, size_t ahead = 0) const {
    return Peek(ahead).type == TT::kOp && Peek(ahead).text == op;
  }
  bool IsName(std::string_view name, size_t ahead = 0) const {
    return Peek(ahead).type == TT::kName && Peek(ahead).text == name;
  }
  bool AcceptOp(std::string_view op) {
    if (!IsOp(op)) return false;
    Next();
    return true;
  }
  bool AcceptName(std::string_view name) {
    if (!IsName(name)) return false;
    Next();
    return true;
  }
  Status Error(const Token& at, std::string_view what) const {
    return InvalidArgument(fmt::format("chat template syntax error at line {}, column {}: {}",
                                       at.pos.line, at.pos.column, what));
  }
  Status Expected(std::string_view what) const {
    return Error(Peek(), fmt::format("expected {}, found {}", what, Describe(Peek())));
  }
  Status ExpectOp(std::string_view op) {
    if (AcceptOp(op)) return Status::Ok();
    return Expected(fmt::format("'{}'", op));
  }
  Status ExpectStmtClose() {
    if (Peek().type == TT::kStmtClose) {
      Next();
      return Status::Ok();
    }
    return Expected("'%}'");
  }
  Result<std::string> ExpectName() {
    if (Peek().type != TT::kName) return Expected("a name");
    return Next().text;
  }

  // Scoped nesting counter.
  class DepthGuard {
   public:
    explicit DepthGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~DepthGuard() { --*depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int* depth_;
  };
  Status CheckDepth() const {
    if (depth_ > kMaxParseDepth) {
      return Error(Peek(), fmt::format("nesting deeper than {} levels", kMaxParseDepth));
    }
    return Status::Ok();
  }

  // ---- statements ----

  // Parses statements until one of `ends` (a block tag name) or the end of input; leaves
  // the end tag's name consumed in *end (the caller closes the tag).
  Status ParseBody(std::initializer_list<std::string_view> ends, Body* body, std::string* end) {
    DepthGuard guard(&depth_);
    HFD_RETURN_IF_ERROR(CheckDepth());
    while (true) {
      const Token& t = Peek();
      switch (t.type) {
        case TT::kEof:
          if (ends.size() == 0) return Status::Ok();
          return Error(t, fmt::format("missing '{{% {} %}}'", *ends.begin()));
        case TT::kText: {
          auto s = MakeStmt(Stmt::Kind::kText, t.pos);
          s->text = Next().text;
          body->push_back(std::move(s));
          break;
        }
        case TT::kExprOpen: {
          auto s = MakeStmt(Stmt::Kind::kOutput, Next().pos);
          HFD_ASSIGN_OR_RETURN(s->expr, ParseExpression(true));
          if (Peek().type != TT::kExprClose) return Expected("'}}'");
          Next();
          body->push_back(std::move(s));
          break;
        }
        case TT::kStmtOpen: {
          Next();
          if (Peek().type != TT::kName) return Expected("a statement name");
          for (std::string_view e : ends) {
            if (Peek().text == e) {
              *end = Next().text;
              return Status::Ok();
            }
          }
          HFD_ASSIGN_OR_RETURN(StmtPtr s, ParseStatement());
          body->push_back(std::move(s));
          break;
        }
        default:
          return Error(t, fmt::format("unexpected {}", Describe(t)));
      }
    }
  }

  Result<StmtPtr> ParseStatement() {
    const Token& t = Next();
    const std::string& kw = t.text;
    if (kw == "if") return ParseIf(t.pos);
    if (kw == "for") return ParseFor(t.pos);
    if (kw == "set") return ParseSet(t.pos);
    if (kw == "macro") return ParseMacro(t.pos);
    if (kw == "call") return ParseCallBlock(t.pos);
    if (kw == "filter") return ParseFilterBlock(t.pos);
    if (kw == "generation") return ParseScope(t.pos, "endgeneration");
    if (kw == "break" || kw == "continue") {
      auto s = MakeStmt(kw == "break" ? Stmt::Kind::kBreak : Stmt::Kind::kContinue, t.pos);
      HFD_RETURN_IF_ERROR(ExpectStmtClose());
      return s;
    }
    return Error(t, fmt::format("unknown or unsupported statement '{}'", kw));
  }

  Result<StmtPtr> ParseIf(SourcePos pos) {
    auto s = MakeStmt(Stmt::Kind::kIf, pos);
    while (true) {
      HFD_ASSIGN_OR_RETURN(ExprPtr cond, ParseExpression(true));
      HFD_RETURN_IF_ERROR(ExpectStmtClose());
      Body body;
      std::string end;
      HFD_RETURN_IF_ERROR(ParseBody({"endif", "elif", "else"}, &body, &end));
      s->conds.push_back(std::move(cond));
      s->bodies.push_back(std::move(body));
      if (end == "elif") continue;
      if (end == "else") {
        HFD_RETURN_IF_ERROR(ExpectStmtClose());
        HFD_RETURN_IF_ERROR(ParseBody({"endif"}, &s->else_body, &end));
      }
      HFD_RETURN_IF_ERROR(ExpectStmtClose());
      return s;
    }
  }

  Result<StmtPtr> ParseFor(SourcePos pos) {
    auto s = MakeStmt(Stmt::Kind::kFor, pos);
    bool paren = AcceptOp("(");
    do {
      HFD_ASSIGN_OR_RETURN(std::string name, ExpectName());
      s->targets.push_back(std::move(name));
    } while (AcceptOp(","));
    if (paren) HFD_RETURN_IF_ERROR(ExpectOp(")"));
    if (!AcceptName("in")) return Expected("'in'");
    HFD_ASSIGN_OR_RETURN(s->expr, ParseTupleOrExpression(false));
    if (AcceptName("if")) {
      HFD_ASSIGN_OR_RETURN(s->filter, ParseExpression(false));
    }
    if (IsName("recursive")) return Error(Peek(), "recursive for loops are not supported");
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({"endfor", "else"}, &s->body, &end));
    if (end == "else") {
      HFD_RETURN_IF_ERROR(ExpectStmtClose());
      HFD_RETURN_IF_ERROR(ParseBody({"endfor"}, &s->else_body, &end));
    }
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    return s;
  }

  Result<StmtPtr> ParseSet(SourcePos pos) {
    auto s = MakeStmt(Stmt::Kind::kSet, pos);
    HFD_ASSIGN_OR_RETURN(std::string first, ExpectName());
    if (AcceptOp(".")) {
      s->target_object = std::move(first);
      HFD_ASSIGN_OR_RETURN(s->target_attr, ExpectName());
    } else {
      s->targets.push_back(std::move(first));
      while (AcceptOp(",")) {
        HFD_ASSIGN_OR_RETURN(std::string name, ExpectName());
        s->targets.push_back(std::move(name));
      }
    }
    if (AcceptOp("=")) {
      HFD_ASSIGN_OR_RETURN(s->expr, ParseTupleOrExpression(true));
      HFD_RETURN_IF_ERROR(ExpectStmtClose());
      return s;
    }
    if (s->targets.size() > 1) return Expected("'='");
    if (IsOp("|")) {
      HFD_ASSIGN_OR_RETURN(s->filter, ParseFilterChain(nullptr));
    }
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({"endset"}, &s->body, &end));
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    return s;
  }

  Status ParseParams(Params* params) {
    HFD_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      HFD_ASSIGN_OR_RETURN(std::string name, ExpectName());
      params->names.push_back(std::move(name));
      ExprPtr def;
      if (AcceptOp("=")) {
        HFD_ASSIGN_OR_RETURN(def, ParseExpression(true));
      }
      params->defaults.push_back(std::move(def));
      if (!AcceptOp(",")) break;
    }
    return ExpectOp(")");
  }

  Result<StmtPtr> ParseMacro(SourcePos pos) {
    auto s = MakeStmt(Stmt::Kind::kMacro, pos);
    HFD_ASSIGN_OR_RETURN(s->name, ExpectName());
    HFD_RETURN_IF_ERROR(ParseParams(&s->params));
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({"endmacro"}, &s->body, &end));
    if (Peek().type == TT::kName && Peek().text == s->name) Next();
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    return s;
  }

  Result<StmtPtr> ParseCallBlock(SourcePos pos) {
    auto s = MakeStmt(Stmt::Kind::kCallBlock, pos);
    s->name = "caller";
    if (IsOp("(")) HFD_RETURN_IF_ERROR(ParseParams(&s->params));
    HFD_ASSIGN_OR_RETURN(s->expr, ParseExpression(true));
    if (s->expr->kind != Expr::Kind::kCall) return Error(Peek(), "'call' needs a macro call");
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({"endcall"}, &s->body, &end));
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    return s;
  }

  Result<StmtPtr> ParseFilterBlock(SourcePos pos) {
    auto s = MakeStmt(Stmt::Kind::kFilterBlock, pos);
    HFD_ASSIGN_OR_RETURN(s->filter, ParseFilterChain(nullptr, /*leading_pipe=*/false));
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({"endfilter"}, &s->body, &end));
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    return s;
  }

  Result<StmtPtr> ParseScope(SourcePos pos, std::string_view end_name) {
    auto s = MakeStmt(Stmt::Kind::kScope, pos);
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    std::string end;
    HFD_RETURN_IF_ERROR(ParseBody({end_name}, &s->body, &end));
    HFD_RETURN_IF_ERROR(ExpectStmtClose());
    return s;
  }

  // ---- expressions ----

  // `a, b` without brackets is a tuple in `set` and `for ... in`.
  Result<ExprPtr> ParseTupleOrExpression(bool allow_ternary) {
    SourcePos pos = Peek().pos;
    HFD_ASSIGN_OR_RETURN(ExprPtr first, ParseExpression(allow_ternary));
    if (!IsOp(",")) return first;
    auto tuple = MakeExpr(Expr::Kind::kTuple, pos);
    tuple->args.push_back(std::move(first));
    while (AcceptOp(",")) {
      if (Peek().type == TT::kStmtClose || IsName("if")) break;
      HFD_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(allow_ternary));
      tuple->args.push_back(std::move(item));
    }
    return tuple;
  }

  Result<ExprPtr> ParseExpression(bool allow_ternary) {
    DepthGuard guard(&depth_);
    HFD_RETURN_IF_ERROR(CheckDepth());
    SourcePos pos = Peek().pos;
    HFD_ASSIGN_OR_RETURN(ExprPtr value, ParseOr());
    if (!allow_ternary || !IsName("if")) return value;
    Next();
    auto e = MakeExpr(Expr::Kind::kTernary, pos);
    HFD_ASSIGN_OR_RETURN(ExprPtr cond, ParseOr());
    e->args.push_back(std::move(value));
    e->args.push_back(std::move(cond));
    ExprPtr otherwise;
    if (AcceptName("else")) {
      HFD_ASSIGN_OR_RETURN(otherwise, ParseExpression(true));
    }
    e->args.push_back(std::move(otherwise));
    return e;
  }

  Result<ExprPtr> Binary(Expr::Kind kind, std::string op, ExprPtr lhs, ExprPtr rhs) {
    auto e = MakeExpr(kind, lhs->pos);
    e->name = std::move(op);
    e->args.push_back(std::move(lhs));
    e->args.push_back(std::move(rhs));
    return e;
  }

  Result<ExprPtr> ParseOr() {
    HFD_ASSIGN_OR_RETURN(ExprPtr lhs, ParseAnd());
    while (AcceptName("or")) {
      HFD_ASSIGN_OR_RETURN(ExprPtr rhs, ParseAnd());
      HFD_ASSIGN_OR_RETURN(lhs, Binary(Expr::Kind::kOr, "or", std::move(lhs), std::move(rhs)));
    }
    return lhs;
  }

  Result<ExprPtr> ParseAnd() {
    HFD_ASSIGN_OR_RETURN(ExprPtr lhs, ParseNot());
    while (AcceptName("and")) {
      HFD_ASSIGN_OR_RETURN(ExprPtr rhs, ParseNot());
      HFD_ASSIGN_OR_RETURN(lhs, Binary(Expr::Kind::kAnd, "and", std::move(lhs), std::move(rhs)));
    }
    return lhs;
  }

  Result<ExprPtr> ParseNot() {
    if (IsName("not")) {
      DepthGuard guard(&depth_);
      HFD_RETURN_IF_ERROR(CheckDepth());
      auto e = MakeExpr(Expr::Kind::kUnary, Next().pos);
      e->name = "not";
      HFD_ASSIGN_OR_RETURN(e->object, ParseNot());
      return e;
    }
    return ParseCompare();
  }

  Result<ExprPtr> ParseCompare() {
    HFD_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
    ExprPtr cmp;
    while (true) {
      std::string op;
      const Token& t = Peek();
      if (t.type == TT::kOp && (t.text == "==" || t.text == "!=" || t.text == "<" ||
                                t.text == ">" || t.text == "<=" || t.text == ">=")) {
        op = Next().text;
      } else if (IsName("in")) {
        Next();
        op = "in";
      } else if (IsName("not") && IsName("in", 1)) {
        Next();
        Next();
        op = "not in";
      } else {
        break;
      }
      if (!cmp) {
        cmp = MakeExpr(Expr::Kind::kCompare, first->pos);
        cmp->args.push_back(std::move(first));
      }
      HFD_ASSIGN_OR_RETURN(ExprPtr rhs, ParseMath1());
      cmp->ops.push_back(std::move(op));
      cmp->args.push_back(std::move(rhs));
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  // One precedence level of left-associative binary operators.
  template <typename Operand>
  Result<ExprPtr> ParseLevel(std::initializer_list<std::string_view> ops, Operand operand) {
    HFD_ASSIGN_OR_RETURN(ExprPtr lhs, operand());
    while (true) {
      std::string op;
      for (std::string_view o : ops) {
        if (IsOp(o)) op = std::string(o);
      }
      if (op.empty()) return lhs;
      Next();
      HFD_ASSIGN_OR_RETURN(ExprPtr rhs, operand());
      HFD_ASSIGN_OR_RETURN(lhs, Binary(Expr::Kind::kBinary, op, std::move(lhs), std::move(rhs)));
    }
  }

  Result<ExprPtr> ParseMath1() {
    return ParseLevel({"+", "-"}, [this] { return ParseConcat(); });
  }
  Result<ExprPtr> ParseConcat() {
    return ParseLevel({"~"}, [this] { return ParseMath2(); });
  }
  Result<ExprPtr> ParseMath2() {
    return ParseLevel({"*", "/", "//", "%"}, [this] { return ParsePow(); });
  }
  Result<ExprPtr> ParsePow() {
    return ParseLevel({"**"}, [this] { return ParseUnary(true); });
  }

  Result<ExprPtr> ParseUnary(bool with_filter) {
    DepthGuard guard(&depth_);
    HFD_RETURN_IF_ERROR(CheckDepth());
    ExprPtr node;
    if (IsOp("-") || IsOp("+")) {
      node = MakeExpr(Expr::Kind::kUnary, Peek().pos);
      node->name = Next().text;
      HFD_ASSIGN_OR_RETURN(node->object, ParseUnary(false));
    } else {
      HFD_ASSIGN_OR_RETURN(node, ParsePrimary());
    }
    HFD_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
    if (!with_filter) return node;
    while (true) {
      if (IsOp("|")) {
        HFD_ASSIGN_OR_RETURN(node, ParseFilterChain(std::move(node)));
      } else if (IsName("is")) {
        HFD_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
      } else if (IsOp("(")) {
        HFD_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.type) {
      case TT::kName: {
        Next();
        auto e = MakeExpr(Expr::Kind::kLiteral, t.pos);
        if (t.text == "true" || t.text == "True") {
          e->value = Value(true);
        } else if (t.text == "false" || t.text == "False") {
          e->value = Value(false);
        } else if (t.text == "none" || t.text == "None") {
          e->value = Value::None();
        } else {
          e->kind = Expr::Kind::kName;
          e->name = t.text;
        }
        return e;
      }
      case TT::kString: {
        auto e = MakeExpr(Expr::Kind::kLiteral, t.pos);
        std::string s;
        while (Peek().type == TT::kString) s += Next().text;  // "a" "b" is "ab"
        e->value = Value(std::move(s));
        return e;
      }
      case TT::kInt: {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (ec != std::errc()) return Error(t, "integer literal out of range");
        Next();
        auto e = MakeExpr(Expr::Kind::kLiteral, t.pos);
        e->value = Value(v);
        return e;
      }
      case TT::kFloat: {
        Next();
        auto e = MakeExpr(Expr::Kind::kLiteral, t.pos);
        e->value = Value(std::strtod(t.text.c_str(), nullptr));
        return e;
      }
      case TT::kOp:
        if (t.text == "(") return ParseParenthesized();
        if (t.text == "[") return ParseList();
        if (t.text == "{") return ParseDict();
        break;
      default:
        break;
    }
    return Expected("an expression");
  }

  Result<ExprPtr> ParseParenthesized() {
    SourcePos pos = Next().pos;
    if (AcceptOp(")")) return MakeExpr(Expr::Kind::kTuple, pos);
    HFD_ASSIGN_OR_RETURN(ExprPtr first, ParseExpression(true));
    if (AcceptOp(")")) return first;
    auto tuple = MakeExpr(Expr::Kind::kTuple, pos);
    tuple->args.push_back(std::move(first));
    while (AcceptOp(",")) {
      if (IsOp(")")) break;
      HFD_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(true));
      tuple->args.push_back(std::move(item));
    }
    HFD_RETURN_IF_ERROR(ExpectOp(")"));
    return tuple;
  }

  Result<ExprPtr> ParseList() {
    auto list = MakeExpr(Expr::Kind::kList, Next().pos);
    while (!IsOp("]")) {
      HFD_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(true));
      list->args.push_back(std::move(item));
      if (!AcceptOp(",")) break;
    }
    HFD_RETURN_IF_ERROR(ExpectOp("]"));
    return list;
  }

  Result<ExprPtr> ParseDict() {
    auto dict = MakeExpr(Expr::Kind::kDict, Next().pos);
    while (!IsOp("}")) {
      HFD_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression(true));
      HFD_RETURN_IF_ERROR(ExpectOp(":"));
      HFD_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      dict->args.push_back(std::move(key));
      dict->args.push_back(std::move(value));
      if (!AcceptOp(",")) break;
    }
    HFD_RETURN_IF_ERROR(ExpectOp("}"));
    return dict;
  }

  Result<ExprPtr> ParsePostfix(ExprPtr node) {
    while (true) {
      if (IsOp(".")) {
        const Token& dot = Next();
        if (Peek().type == TT::kInt) {
          auto index = MakeExpr(Expr::Kind::kIndex, dot.pos);
          HFD_ASSIGN_OR_RETURN(ExprPtr key, ParsePrimary());
          index->object = std::move(node);
          index->args.push_back(std::move(key));
          node = std::move(index);
          continue;
        }
        auto attr = MakeExpr(Expr::Kind::kAttr, dot.pos);
        HFD_ASSIGN_OR_RETURN(attr->name, ExpectName());
        attr->object = std::move(node);
        node = std::move(attr);
      } else if (IsOp("[")) {
        HFD_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
      } else if (IsOp("(")) {
        HFD_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> ParseSubscript(ExprPtr object) {
    SourcePos pos = Next().pos;
    ExprPtr parts[3];
    int colons = 0;
    while (true) {
      if (!IsOp(":") && !IsOp("]")) {
        HFD_ASSIGN_OR_RETURN(parts[colons], ParseExpression(true));
      }
      if (colons < 2 && AcceptOp(":")) {
        ++colons;
        continue;
      }
      break;
    }
    HFD_RETURN_IF_ERROR(ExpectOp("]"));
    if (colons == 0) {
      if (!parts[0]) return Error(Peek(), "empty subscript '[]'");
      auto index = MakeExpr(Expr::Kind::kIndex, pos);
      index->object = std::move(object);
      index->args.push_back(std::move(parts[0]));
      return index;
    }
    auto slice = MakeExpr(Expr::Kind::kSlice, pos);
    slice->object = std::move(object);
    for (auto& p : parts) slice->args.push_back(std::move(p));
    return slice;
  }

  // Parses "(a, b, key=c)" into node->args / node->kwnames.
  Status ParseArgs(Expr* node) {
    HFD_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      std::string kw;
      if (Peek().type == TT::kName && IsOp("=", 1)) {
        kw = Next().text;
        Next();
      }
      HFD_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpression(true));
      node->args.push_back(std::move(arg));
      node->kwnames.push_back(std::move(kw));
      if (!AcceptOp(",")) break;
    }
    return ExpectOp(")");
  }

  Result<ExprPtr> ParseCall(ExprPtr callee) {
    auto call = MakeExpr(Expr::Kind::kCall, Peek().pos);
    call->object = std::move(callee);
    HFD_RETURN_IF_ERROR(ParseArgs(call.get()));
    return call;
  }

  // "| f(args) | g" applied to `input` (null for filter blocks and block sets).
  Result<ExprPtr> ParseFilterChain(ExprPtr input, bool leading_pipe = true) {
    bool first = true;
    while ((first && !leading_pipe) || AcceptOp("|")) {
      first = false;
      const Token& at = Peek();
      auto f = MakeExpr(Expr::Kind::kFilter, at.pos);
      HFD_ASSIGN_OR_RETURN(f->name, ExpectName());
      if (FindFilter(f->name) == nullptr) {
        return Error(at, fmt::format("unknown filter '{}'", f->name));
      }
      if (IsOp("(")) HFD_RETURN_IF_ERROR(ParseArgs(f.get()));
      f->object = std::move(input);
      input = std::move(f);
    }
    return input;
  }

  Result<ExprPtr> ParseTest(ExprPtr input) {
    auto test = MakeExpr(Expr::Kind::kTest, Next().pos);
    test->negated = AcceptName("not");
    const Token& at = Peek();
    HFD_ASSIGN_OR_RETURN(test->name, ExpectName());
    if (FindTest(test->name) == nullptr) {
      return Error(at, fmt::format("unknown test '{}'", test->name));
    }
    test->object = std::move(input);
    if (IsOp("(")) {
      HFD_RETURN_IF_ERROR(ParseArgs(test.get()));
      return test;
    }
    const Token& t = Peek();
    bool starts_arg =
        t.type == TT::kString || t.type == TT::kInt || t.type == TT::kFloat ||
        (t.type == TT::kOp && (t.text == "[" || t.text == "{")) ||
        (t.type == TT::kName && t.text != "else" && t.text != "or" && t.text != "and" &&
         t.text != "if" && t.text != "is" && t.text != "in" && t.text != "not");
    if (starts_arg) {
      HFD_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
      HFD_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
      test->args.push_back(std::move(arg));
      test->kwnames.emplace_back();
    }
    return test;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Body> ParseTemplate(std::string_view source) {
  HFD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  return Parser(std::move(tokens)).Run();
}

}  // namespace hfd::chat
