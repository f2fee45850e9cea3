// Typed losses: an expression in q1..qn is read by our own recursive-descent parser (exact error
// positions, explicit limits on length, depth and exponents), differentiated symbolically by
// GiNaC, and compiled into flat tapes (value, gradient, Hessian) with common subexpressions
// shared. Evaluation runs the tape in double precision: no GiNaC, no strings, no allocation.
#include <ginac/ginac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <sstream>
#include <tuple>

#include "expression_loss.hpp"
#include "noether/expression.hpp"

namespace noether {
namespace {

// ---------------------------------------------------------------------------------------------
// Scalar functions shared by the parser's constant folding, the tape and GiNaC's evalf.

double softplus_d(double x) {
    return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
double sigmoid_d(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}
double logcosh_d(double x) {
    const double a = std::abs(x);
    return a + std::log1p(std::exp(-2.0 * a)) - std::log(2.0);
}
double sign_d(double x) {
    return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
}

// ---------------------------------------------------------------------------------------------
// The functions of the language.

enum class Fn {
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Cosh,
    Sinh,
    Pow,
    Abs,
    Softplus,
    Sigmoid,
    Logcosh
};

struct FnInfo {
    const char* name;
    Fn fn;
    int arity;
    const char* doc;
};

constexpr FnInfo kFunctions[] = {
    {"exp", Fn::Exp, 1, "e^x"},
    {"log", Fn::Log, 1, "natural logarithm, x > 0"},
    {"sqrt", Fn::Sqrt, 1, "square root, x >= 0"},
    {"sin", Fn::Sin, 1, "sine"},
    {"cos", Fn::Cos, 1, "cosine"},
    {"tan", Fn::Tan, 1, "tangent"},
    {"tanh", Fn::Tanh, 1, "hyperbolic tangent"},
    {"cosh", Fn::Cosh, 1, "hyperbolic cosine"},
    {"sinh", Fn::Sinh, 1, "hyperbolic sine"},
    {"pow", Fn::Pow, 2, "pow(x, y) = x^y"},
    {"abs", Fn::Abs, 1, "|x| (derivative sign(x), second derivative 0)"},
    {"softplus", Fn::Softplus, 1, "log(1 + e^x), computed stably"},
    {"sigmoid", Fn::Sigmoid, 1, "1/(1 + e^-x), computed stably"},
    {"logcosh", Fn::Logcosh, 1, "log(cosh(x)), computed stably"},
};

const FnInfo* find_function(const std::string& name) {
    for (const auto& f : kFunctions)
        if (name == f.name) return &f;
    return nullptr;
}

double apply_fn(Fn fn, double x, double y) {
    switch (fn) {
        case Fn::Exp:
            return std::exp(x);
        case Fn::Log:
            return std::log(x);
        case Fn::Sqrt:
            return std::sqrt(x);
        case Fn::Sin:
            return std::sin(x);
        case Fn::Cos:
            return std::cos(x);
        case Fn::Tan:
            return std::tan(x);
        case Fn::Tanh:
            return std::tanh(x);
        case Fn::Cosh:
            return std::cosh(x);
        case Fn::Sinh:
            return std::sinh(x);
        case Fn::Pow:
            return std::pow(x, y);
        case Fn::Abs:
            return std::abs(x);
        case Fn::Softplus:
            return softplus_d(x);
        case Fn::Sigmoid:
            return sigmoid_d(x);
        case Fn::Logcosh:
            return logcosh_d(x);
    }
    return std::numeric_limits<double>::quiet_NaN();
}

// ---------------------------------------------------------------------------------------------
// GiNaC functions for the non-elementary ones (derivatives chosen for a real variable).

DECLARE_FUNCTION_1P(nl_abs)
DECLARE_FUNCTION_1P(nl_sign)
DECLARE_FUNCTION_1P(nl_softplus)
DECLARE_FUNCTION_1P(nl_sigmoid)
DECLARE_FUNCTION_1P(nl_logcosh)

template <double (*F)(double)>
bool numeric_value(const GiNaC::ex& x, GiNaC::ex& out) {
    if (!GiNaC::is_a<GiNaC::numeric>(x)) return false;
    const auto& n = GiNaC::ex_to<GiNaC::numeric>(x);
    if (!n.is_real()) return false;
    out = GiNaC::numeric(F(n.to_double()));
    return true;
}
double abs_fn(double x) {
    return std::abs(x);
}

GiNaC::ex abs_evalf(const GiNaC::ex& x) {
    GiNaC::ex r;
    return numeric_value<abs_fn>(x, r) ? r : nl_abs(x).hold();
}
GiNaC::ex abs_deriv(const GiNaC::ex& x, unsigned) {
    return nl_sign(x);
}
GiNaC::ex sign_evalf(const GiNaC::ex& x) {
    GiNaC::ex r;
    return numeric_value<sign_d>(x, r) ? r : nl_sign(x).hold();
}
GiNaC::ex sign_deriv(const GiNaC::ex&, unsigned) {
    return 0;
}
GiNaC::ex softplus_evalf(const GiNaC::ex& x) {
    GiNaC::ex r;
    return numeric_value<softplus_d>(x, r) ? r : nl_softplus(x).hold();
}
GiNaC::ex softplus_deriv(const GiNaC::ex& x, unsigned) {
    return nl_sigmoid(x);
}
GiNaC::ex sigmoid_evalf(const GiNaC::ex& x) {
    GiNaC::ex r;
    return numeric_value<sigmoid_d>(x, r) ? r : nl_sigmoid(x).hold();
}
GiNaC::ex sigmoid_deriv(const GiNaC::ex& x, unsigned) {
    return nl_sigmoid(x) * (1 - nl_sigmoid(x));
}
GiNaC::ex logcosh_evalf(const GiNaC::ex& x) {
    GiNaC::ex r;
    return numeric_value<logcosh_d>(x, r) ? r : nl_logcosh(x).hold();
}
GiNaC::ex logcosh_deriv(const GiNaC::ex& x, unsigned) {
    return GiNaC::tanh(x);
}

REGISTER_FUNCTION(nl_abs, evalf_func(abs_evalf).derivative_func(abs_deriv))
REGISTER_FUNCTION(nl_sign, evalf_func(sign_evalf).derivative_func(sign_deriv))
REGISTER_FUNCTION(nl_softplus, evalf_func(softplus_evalf).derivative_func(softplus_deriv))
REGISTER_FUNCTION(nl_sigmoid, evalf_func(sigmoid_evalf).derivative_func(sigmoid_deriv))
REGISTER_FUNCTION(nl_logcosh, evalf_func(logcosh_evalf).derivative_func(logcosh_deriv))

// GiNaC is not thread-safe: every symbolic step runs under this lock.
std::mutex& ginac_mutex() {
    static std::mutex m;
    return m;
}

// The parameters q1..q8, created once so that every parse sees the same symbols.
const std::array<GiNaC::realsymbol, kMaxExpressionDim>& q_symbols() {
    static const std::array<GiNaC::realsymbol, kMaxExpressionDim> q = {
        GiNaC::realsymbol("q1"), GiNaC::realsymbol("q2"), GiNaC::realsymbol("q3"),
        GiNaC::realsymbol("q4"), GiNaC::realsymbol("q5"), GiNaC::realsymbol("q6"),
        GiNaC::realsymbol("q7"), GiNaC::realsymbol("q8")};
    return q;
}

// An exact rational equal to a finite double (integers stay integers).
GiNaC::numeric exact(double x) {
    if (x == std::floor(x) && std::abs(x) < 9.0e15) return GiNaC::numeric(static_cast<long>(x));
    int e = 0;
    const double m = std::frexp(x, &e);  // x = m 2^e, 0.5 <= |m| < 1
    const auto mant = static_cast<long>(std::ldexp(m, 53));
    return GiNaC::numeric(mant) * GiNaC::numeric(2).power(GiNaC::numeric(e - 53));
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser.

struct ParseError {
    int pos;  // 1-based character position
    std::string problem;
};

enum class T { Num, Name, Plus, Minus, Star, Slash, Caret, LPar, RPar, Comma, End };

struct Token {
    T kind;
    int pos;  // 1-based
    std::string text;
    double value = 0.0;
};

std::string quote_char(unsigned char c) {
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    char buf[32];
    std::snprintf(buf, sizeof buf, "(byte 0x%02X)", c);
    return buf;
}

std::vector<Token> lex(const std::string& s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const int pos = static_cast<int>(i) + 1;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (std::isdigit(c) ||
            (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            size_t j = i;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                ++j;
            if (j < s.size() && s[j] == '.') {
                ++j;
                while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                    ++j;
            }
            // An exponent only if digits follow ("3eps" is 3 followed by a name).
            if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
                size_t k = j + 1;
                if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
                if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
                    while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])))
                        ++k;
                    j = k;
                }
            }
            Token t{T::Num, pos, s.substr(i, j - i)};
            const auto r = std::from_chars(s.data() + i, s.data() + j, t.value);
            if (r.ec != std::errc() || r.ptr != s.data() + j || !std::isfinite(t.value))
                throw ParseError{pos, "the number '" + t.text + "' is out of range"};
            out.push_back(std::move(t));
            i = j;
            continue;
        }
        if (std::isalpha(c) || c == '_') {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                ++j;
            out.push_back({T::Name, pos, s.substr(i, j - i)});
            i = j;
            continue;
        }
        T kind;
        size_t len = 1;
        switch (c) {
            case '+':
                kind = T::Plus;
                break;
            case '-':
                kind = T::Minus;
                break;
            case '*':
                kind = T::Star;
                if (i + 1 < s.size() && s[i + 1] == '*') {
                    kind = T::Caret;
                    len = 2;
                }
                break;
            case '/':
                kind = T::Slash;
                break;
            case '^':
                kind = T::Caret;
                break;
            case '(':
                kind = T::LPar;
                break;
            case ')':
                kind = T::RPar;
                break;
            case ',':
                kind = T::Comma;
                break;
            default:
                if (c >= 0x80)
                    throw ParseError{pos, "unexpected character " + quote_char(c) +
                                              " (only ASCII letters, digits and + - * / ^ ( ) , "
                                              "are allowed)"};
                throw ParseError{pos, "unexpected character " + quote_char(c)};
        }
        out.push_back({kind, pos, s.substr(i, len)});
        i += len;
    }
    out.push_back({T::End, static_cast<int>(s.size()) + 1, ""});
    return out;
}

std::string describe(const Token& t) {
    switch (t.kind) {
        case T::End:
            return "the end of the expression";
        case T::Num:
            return "the number '" + t.text + "'";
        case T::Name:
            return "'" + t.text + "'";
        default:
            return "'" + t.text + "'";
    }
}

// The syntax tree. Sums and products are n-ary so that long chains stay shallow.
struct Node {
    enum Kind { Num, Var, Neg, Add, Mul, Pow, Call };
    Node(Kind k, int p) : kind(k), pos(p) {}
    Kind kind;
    int pos = 0;
    double value = 0.0;      // Num
    int index = 0;           // Var: 0-based q index
    Fn fn = Fn::Exp;         // Call
    std::vector<int> kids;   // operands
    std::vector<bool> inv;   // Add: subtract this kid; Mul: divide by it
    std::vector<int> opos;   // position of the operator before each kid
    double chain_exp = 1.0;  // product of nested numeric exponents (a power limit)
};

class Parser {
  public:
    Parser(const std::string& text, int dim, const std::map<std::string, double>& consts)
        : toks_(lex(text)), dim_(dim), consts_(consts) {}

    int parse() {
        const int root = sum(1);
        const Token& t = peek();
        if (t.kind != T::End) {
            if (t.kind == T::RPar) throw ParseError{t.pos, "unmatched ')'"};
            throw ParseError{t.pos, "expected an operator before " + describe(t) +
                                        " (write * for multiplication)"};
        }
        return root;
    }
    std::vector<Node> nodes;
    int max_q = 0;  // highest q index used (1-based)

  private:
    const Token& peek() const { return toks_[at_]; }
    const Token& next() { return toks_[at_++]; }

    void guard(int depth) const {
        if (depth > kMaxExpressionDepth)
            throw ParseError{peek().pos, "nested too deeply (more than " +
                                             std::to_string(kMaxExpressionDepth) + " levels)"};
    }
    int push(Node n) {
        nodes.push_back(std::move(n));
        return static_cast<int>(nodes.size()) - 1;
    }
    int number(int pos, double v) {
        Node n{Node::Num, pos};
        n.value = v;
        return push(std::move(n));
    }
    bool is_num(int i) const { return nodes[i].kind == Node::Num; }

    int sum(int depth) {
        guard(depth);
        Node n{Node::Add, peek().pos};
        n.kids.push_back(product(depth));
        n.inv.push_back(false);
        n.opos.push_back(peek().pos);
        while (peek().kind == T::Plus || peek().kind == T::Minus) {
            const Token& op = next();
            n.opos.push_back(op.pos);
            n.inv.push_back(op.kind == T::Minus);
            n.kids.push_back(product(depth));
        }
        if (n.kids.size() == 1) return n.kids[0];
        // Fold an all-number sum.
        if (std::all_of(n.kids.begin(), n.kids.end(), [&](int k) { return is_num(k); })) {
            double acc = 0.0;
            for (size_t k = 0; k < n.kids.size(); ++k) {
                acc += n.inv[k] ? -nodes[n.kids[k]].value : nodes[n.kids[k]].value;
                if (!std::isfinite(acc)) throw ParseError{n.opos[k], "the constant sum overflows"};
            }
            return number(n.pos, acc);
        }
        return push(std::move(n));
    }

    int product(int depth) {
        Node n{Node::Mul, peek().pos};
        n.kids.push_back(unary(depth));
        n.inv.push_back(false);
        n.opos.push_back(peek().pos);
        while (peek().kind == T::Star || peek().kind == T::Slash) {
            const Token& op = next();
            const int k = unary(depth);
            if (op.kind == T::Slash && is_num(k) && nodes[k].value == 0.0)
                throw ParseError{op.pos, "division by zero"};
            n.opos.push_back(op.pos);
            n.inv.push_back(op.kind == T::Slash);
            n.kids.push_back(k);
        }
        if (n.kids.size() == 1) return n.kids[0];
        if (std::all_of(n.kids.begin(), n.kids.end(), [&](int k) { return is_num(k); })) {
            double acc = 1.0;
            for (size_t k = 0; k < n.kids.size(); ++k) {
                acc = n.inv[k] ? acc / nodes[n.kids[k]].value : acc * nodes[n.kids[k]].value;
                if (!std::isfinite(acc))
                    throw ParseError{n.opos[k], "the constant product overflows"};
            }
            return number(n.pos, acc);
        }
        for (int k : n.kids)
            n.chain_exp = std::max(n.chain_exp, nodes[k].chain_exp);
        return push(std::move(n));
    }

    int unary(int depth) {
        guard(depth);
        if (peek().kind == T::Minus || peek().kind == T::Plus) {
            const Token& op = next();
            const int k = unary(depth + 1);
            if (op.kind == T::Plus) return k;
            if (is_num(k)) return number(op.pos, -nodes[k].value);
            Node n{Node::Neg, op.pos};
            n.kids = {k};
            n.chain_exp = nodes[k].chain_exp;
            return push(std::move(n));
        }
        return power(depth);
    }

    int power(int depth) {
        const int base = primary(depth);
        if (peek().kind != T::Caret) return base;
        const Token& op = next();
        const int ex = unary(depth + 1);
        return make_pow(op.pos, base, ex);
    }

    int make_pow(int pos, int base, int ex) {
        if (is_num(base) && is_num(ex)) {
            const double b = nodes[base].value, e = nodes[ex].value;
            const double v = std::pow(b, e);
            if (b == 0.0 && e < 0)
                throw ParseError{pos, "division by zero (0 to a negative power)"};
            if (std::isnan(v))
                throw ParseError{pos, "a negative number to a fractional power is not real"};
            if (!std::isfinite(v)) throw ParseError{pos, "the constant power overflows"};
            return number(pos, v);
        }
        Node n{Node::Pow, pos};
        n.kids = {base, ex};
        if (is_num(ex)) {
            const double e = std::max(1.0, std::ceil(std::abs(nodes[ex].value)));
            n.chain_exp = e * nodes[base].chain_exp;
            if (!(n.chain_exp <= kMaxExpressionExponent)) {
                std::ostringstream os;
                os << "exponent too large (nested powers multiply to " << n.chain_exp
                   << ", the limit is " << kMaxExpressionExponent << ")";
                throw ParseError{pos, os.str()};
            }
        }
        return push(std::move(n));
    }

    int primary(int depth) {
        guard(depth);
        const Token& t = peek();
        switch (t.kind) {
            case T::Num:
                next();
                return number(t.pos, t.value);
            case T::LPar: {
                next();
                const int k = sum(depth + 1);
                if (peek().kind != T::RPar)
                    throw ParseError{peek().pos, "missing ')' for the '(' at position " +
                                                     std::to_string(t.pos) + " (found " +
                                                     describe(peek()) + ")"};
                next();
                return k;
            }
            case T::Name:
                next();
                if (peek().kind == T::LPar) return call(t, depth);
                return name(t);
            case T::RPar:
                throw ParseError{t.pos, "expected a number, a name or '(' but found ')'"};
            case T::End:
                throw ParseError{t.pos,
                                 "the expression ends too early (expected a number, a "
                                 "name or '(')"};
            default:
                throw ParseError{t.pos,
                                 "expected a number, a name or '(' but found " + describe(t)};
        }
    }

    int call(const Token& name_tok, int depth) {
        const FnInfo* f = find_function(name_tok.text);
        if (!f) {
            std::string known;
            for (const auto& g : kFunctions)
                known.append(known.empty() ? "" : ", ").append(g.name);
            throw ParseError{name_tok.pos,
                             "unknown function '" + name_tok.text + "' (known: " + known + ")"};
        }
        next();  // '('
        std::vector<int> args;
        if (peek().kind != T::RPar) {
            args.push_back(sum(depth + 1));
            while (peek().kind == T::Comma) {
                next();
                args.push_back(sum(depth + 1));
            }
        }
        if (peek().kind != T::RPar)
            throw ParseError{peek().pos, "missing ')' to close " + name_tok.text +
                                             "( at position " + std::to_string(name_tok.pos) +
                                             " (found " + describe(peek()) + ")"};
        next();
        if (static_cast<int>(args.size()) != f->arity)
            throw ParseError{name_tok.pos, "'" + name_tok.text + "' takes " +
                                               std::to_string(f->arity) + " argument" +
                                               (f->arity == 1 ? "" : "s") + " (got " +
                                               std::to_string(args.size()) + ")"};
        if (f->fn == Fn::Pow) return make_pow(name_tok.pos, args[0], args[1]);
        // Fold a call on numbers.
        if (std::all_of(args.begin(), args.end(), [&](int k) { return is_num(k); })) {
            const double v = apply_fn(f->fn, nodes[args[0]].value, 0.0);
            if (!std::isfinite(v))
                throw ParseError{name_tok.pos, "'" + name_tok.text + "(" +
                                                   format_double(nodes[args[0]].value) +
                                                   ")' is not a finite real number"};
            return number(name_tok.pos, v);
        }
        Node n{Node::Call, name_tok.pos};
        n.fn = f->fn;
        n.kids = args;
        return push(std::move(n));
    }

    int name(const Token& t) {
        const std::string& s = t.text;
        // q1..q8.
        if (s.size() >= 2 && s[0] == 'q' &&
            std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            const int limit = dim_ > 0 ? dim_ : kMaxExpressionDim;
            if (s[1] == '0')
                throw ParseError{t.pos, "'" + s + "' is not a parameter: they are numbered q1..q" +
                                            std::to_string(limit)};
            const long idx = s.size() > 4 ? 100000 : std::stol(s.substr(1));
            if (idx > limit) {
                if (dim_ > 0)
                    throw ParseError{t.pos, "'" + s + "' is beyond the dimension: the loss has " +
                                                std::to_string(dim_) + " parameter" +
                                                (dim_ == 1 ? "" : "s") + " (q1..q" +
                                                std::to_string(dim_) + ")"};
                throw ParseError{t.pos, "'" + s + "': at most " +
                                            std::to_string(kMaxExpressionDim) +
                                            " parameters (q1..q8)"};
            }
            max_q = std::max(max_q, static_cast<int>(idx));
            Node n{Node::Var, t.pos};
            n.index = static_cast<int>(idx) - 1;
            return push(std::move(n));
        }
        if (auto it = consts_.find(s); it != consts_.end()) return number(t.pos, it->second);
        if (s == "pi") return number(t.pos, std::numbers::pi);
        if (find_function(s))
            throw ParseError{t.pos, "'" + s + "' is a function: write " + s + "(...)"};
        std::string known;
        for (const auto& [k, v] : consts_)
            known.append(", ").append(k);
        throw ParseError{t.pos, "unknown name '" + s + "' (use q1..q" +
                                    std::to_string(dim_ > 0 ? dim_ : kMaxExpressionDim) + ", pi" +
                                    known + "; other constants with --const NAME=VALUE)"};
    }

    std::vector<Token> toks_;
    size_t at_ = 0;
    int dim_;
    const std::map<std::string, double>& consts_;
};

// Syntax tree -> GiNaC expression. Symbolic trouble (a denominator that simplifies to 0, a pole)
// is reported at the operator or call that causes it.
class ToGinac {
  public:
    explicit ToGinac(const std::vector<Node>& nodes) : nodes_(nodes) {}

    GiNaC::ex convert(int i) {
        const Node& n = nodes_[i];
        const auto& q = q_symbols();
        switch (n.kind) {
            case Node::Num:
                return exact(n.value);
            case Node::Var:
                return q[n.index];
            case Node::Neg:
                return -convert(n.kids[0]);
            case Node::Add: {
                GiNaC::exvector terms;
                for (size_t k = 0; k < n.kids.size(); ++k) {
                    GiNaC::ex t = convert(n.kids[k]);
                    terms.push_back(n.inv[k] ? -t : t);
                }
                return guarded(n.pos, [&] { return GiNaC::ex(GiNaC::add(terms)); });
            }
            case Node::Mul: {
                GiNaC::exvector factors;
                for (size_t k = 0; k < n.kids.size(); ++k) {
                    GiNaC::ex f = convert(n.kids[k]);
                    if (n.inv[k]) {
                        // Checked here: GiNaC would throw (and leak) on 1/0.
                        if (f.is_zero())
                            throw ParseError{n.opos[k],
                                             "division by zero (the denominator simplifies to 0)"};
                        f = guarded(n.opos[k], [&] { return GiNaC::pow(f, -1); });
                    }
                    factors.push_back(f);
                }
                return guarded(n.pos, [&] { return GiNaC::ex(GiNaC::mul(factors)); });
            }
            case Node::Pow: {
                const GiNaC::ex b = convert(n.kids[0]), e = convert(n.kids[1]);
                // Operands that simplified to numbers are folded in double, as in the parser.
                const auto bv = real_value(b), ev = real_value(e);
                if (bv) {
                    if (*bv == 0.0 && !ev)
                        throw ParseError{n.pos,
                                         "0 to a variable power is undefined for "
                                         "negative exponents"};
                    if (ev) {
                        const double v = std::pow(*bv, *ev);
                        if (!std::isfinite(v))
                            throw ParseError{n.pos, "the power is not a finite real number (" +
                                                        format_double(*bv) + "^" +
                                                        format_double(*ev) + ")"};
                        return exact(v);
                    }
                }
                // An exponent that became a number only after simplification, e.g.
                // (...)^(c^(1^q2)): GiNaC raises numeric factors and contents to it exactly.
                if (ev && std::abs(*ev) * chain_exponent(b) > kMaxExpressionExponent)
                    throw ParseError{n.pos,
                                     "exponent too large (nested powers multiply to "
                                     "more than " +
                                         format_double(kMaxExpressionExponent) + ")"};
                return guarded(n.pos, [&] { return GiNaC::pow(b, e); });
            }
            case Node::Call: {
                const GiNaC::ex x = convert(n.kids[0]);
                // An argument that simplified to a number: fold (GiNaC would throw at a pole).
                if (const auto xv = real_value(x)) {
                    const double v = apply_fn(n.fn, *xv, 0.0);
                    if (!std::isfinite(v))
                        throw ParseError{n.pos,
                                         "the function is not finite here (its argument "
                                         "simplifies to " +
                                             format_double(*xv) + ")"};
                    return exact(v);
                }
                return guarded(n.pos, [&]() -> GiNaC::ex {
                    switch (n.fn) {
                        case Fn::Exp:
                            return GiNaC::exp(x);
                        case Fn::Log:
                            return GiNaC::log(x);
                        case Fn::Sqrt:
                            return GiNaC::sqrt(x);
                        case Fn::Sin:
                            return GiNaC::sin(x);
                        case Fn::Cos:
                            return GiNaC::cos(x);
                        case Fn::Tan:
                            return GiNaC::tan(x);
                        case Fn::Tanh:
                            return GiNaC::tanh(x);
                        case Fn::Cosh:
                            return GiNaC::cosh(x);
                        case Fn::Sinh:
                            return GiNaC::sinh(x);
                        case Fn::Abs:
                            return nl_abs(x);
                        case Fn::Softplus:
                            return nl_softplus(x);
                        case Fn::Sigmoid:
                            return nl_sigmoid(x);
                        case Fn::Logcosh:
                            return nl_logcosh(x);
                        case Fn::Pow:
                            break;
                    }
                    throw std::logic_error("pow is a power node");
                });
            }
        }
        throw std::logic_error("unknown node");
    }

  private:
    // Product of the numeric exponents GiNaC would multiply when raising e to a power:
    // (x^a)^k = x^(a k) and (x^a y^b)^k = x^(a k) y^(b k).
    static double chain_exponent(const GiNaC::ex& e) {
        if (GiNaC::is_a<GiNaC::power>(e) && GiNaC::is_a<GiNaC::numeric>(e.op(1))) {
            const auto x = real_value(e.op(1));
            return std::max(1.0, x ? std::abs(*x) : 1.0) * chain_exponent(e.op(0));
        }
        if (GiNaC::is_a<GiNaC::mul>(e)) {
            double m = 1.0;
            for (size_t i = 0; i < e.nops(); ++i)
                m = std::max(m, chain_exponent(e.op(i)));
            return m;
        }
        return 1.0;
    }

    // The value of an expression that is a real number, else nullopt.
    static std::optional<double> real_value(const GiNaC::ex& e) {
        if (!GiNaC::is_a<GiNaC::numeric>(e)) return std::nullopt;
        const auto& n = GiNaC::ex_to<GiNaC::numeric>(e);
        if (!n.is_real()) return std::nullopt;
        try {
            return n.to_double();
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }

    template <class F>
    GiNaC::ex guarded(int pos, F&& make) {
        try {
            return make();
        } catch (const ParseError&) {
            throw;
        } catch (const std::exception& e) {
            const std::string w = e.what();
            if (w.find("division by zero") != std::string::npos)
                throw ParseError{pos, "division by zero (the denominator simplifies to 0)"};
            if (w.find("pole") != std::string::npos || w.find("log(0)") != std::string::npos)
                throw ParseError{pos, "the function has a pole here (its value is infinite)"};
            throw ParseError{pos, "cannot be formed symbolically (" + w + ")"};
        }
    }
    const std::vector<Node>& nodes_;
};

// ---------------------------------------------------------------------------------------------
// Symbolic size guard: GiNaC differentiates by walking the tree, so the cost of a derivative is
// about (tree size) x (widest product). Counting stops at the cap.

void measure(const GiNaC::ex& e, size_t cap, size_t& size, size_t& width) {
    if (size > cap) return;
    ++size;
    const size_t k = e.nops();
    if (GiNaC::is_a<GiNaC::mul>(e) || GiNaC::is_a<GiNaC::add>(e)) width = std::max(width, k);
    for (size_t i = 0; i < k && size <= cap; ++i)
        measure(e.op(i), cap, size, width);
}

// Estimated work of differentiating e once with respect to one variable.
size_t diff_cost(const GiNaC::ex& e, size_t cap) {
    size_t size = 0, width = 0;
    measure(e, cap, size, width);
    return size * (width + 1);
}

constexpr size_t kDiffBudget = 3'000'000;  // estimated symbolic work for all derivatives
constexpr size_t kMaxTape = 200'000;       // compiled instructions (after sharing)
constexpr size_t kVerifyBudget = 20'000;   // tree size up to which GiNaC re-evaluates outputs

// ---------------------------------------------------------------------------------------------
// The tape: a DAG of scalar operations in topological order, shared by all outputs.

enum Op : uint8_t {
    kConst,
    kVar,
    kAdd,
    kSub,
    kMul,
    kDiv,
    kNeg,
    kSqrt,
    kPow,
    kExp,
    kLog,
    kSin,
    kCos,
    kTan,
    kSinh,
    kCosh,
    kTanh,
    kAbs,
    kSign,
    kSoftplus,
    kSigmoid,
    kLogcosh
};

inline double apply_op(uint8_t op, double x, double y) {
    switch (op) {
        case kAdd:
            return x + y;
        case kSub:
            return x - y;
        case kMul:
            return x * y;
        case kDiv:
            return x / y;
        case kNeg:
            return -x;
        case kSqrt:
            return std::sqrt(x);
        case kPow:
            return std::pow(x, y);
        case kExp:
            return std::exp(x);
        case kLog:
            return std::log(x);
        case kSin:
            return std::sin(x);
        case kCos:
            return std::cos(x);
        case kTan:
            return std::tan(x);
        case kSinh:
            return std::sinh(x);
        case kCosh:
            return std::cosh(x);
        case kTanh:
            return std::tanh(x);
        case kAbs:
            return std::abs(x);
        case kSign:
            return sign_d(x);
        case kSoftplus:
            return softplus_d(x);
        case kSigmoid:
            return sigmoid_d(x);
        case kLogcosh:
            return logcosh_d(x);
        default:
            return std::numeric_limits<double>::quiet_NaN();
    }
}

struct Instr {
    uint8_t op;
    uint32_t a;
    uint32_t b;
    double c;
};

// A pruned, compacted slice of the tape that computes some outputs.
// Registers: constants first, then the parameters read, then one per instruction of `code`.
struct Program {
    std::vector<double> consts;  // loaded into registers 0..
    std::vector<uint32_t> vars;  // q indices loaded next
    std::vector<Instr> code;     // arithmetic only; instruction k writes register base + k
    std::vector<uint32_t> outputs;
    size_t registers() const { return consts.size() + vars.size() + code.size(); }
};

uint64_t mix(uint64_t h, uint64_t v) {
    // splitmix64 finaliser on (h, v): a structural key independent of GiNaC's internal order.
    uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t bits(double x) {
    uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

struct CompileError {
    std::string problem;
};

class TapeBuilder {
  public:
    struct TNode {
        uint8_t op;
        int a, b;
        double c;
        uint64_t key;
    };

    int constant(double c) { return node(kConst, -1, -1, c == 0.0 ? 0.0 : c); }
    int var(int i) { return node(kVar, i, -1, 0.0); }

    int node(uint8_t op, int a, int b, double c = 0.0) {
        if ((op == kAdd || op == kMul) && a > b) std::swap(a, b);
        // Constant folding with the very same arithmetic as evaluation.
        if (op != kConst && op != kVar) {
            const bool ca = nodes_[a].op == kConst;
            const bool cb = b < 0 || nodes_[b].op == kConst;
            if (ca && cb) return constant(apply_op(op, nodes_[a].c, b < 0 ? 0.0 : nodes_[b].c));
            // x + 0, x * 1, x / 1, x^1.
            if (op == kAdd && nodes_[a].op == kConst && nodes_[a].c == 0.0) return b;
            if (op == kMul && nodes_[a].op == kConst && nodes_[a].c == 1.0) return b;
            if ((op == kDiv || op == kPow) && nodes_[b].op == kConst && nodes_[b].c == 1.0)
                return a;
        }
        const auto cse_key = std::make_tuple(op, a, b, bits(c));
        if (auto it = cse_.find(cse_key); it != cse_.end()) return it->second;
        uint64_t key = mix(op, op == kConst ? bits(c) : 0);
        if (op == kVar) key = mix(key, static_cast<uint64_t>(a));
        if (op != kConst && op != kVar) {
            uint64_t ka = nodes_[a].key, kb = b < 0 ? 0 : nodes_[b].key;
            if ((op == kAdd || op == kMul) && ka > kb) std::swap(ka, kb);
            key = mix(mix(key, ka), kb);
        }
        nodes_.push_back({op, a, b, c, key});
        if (nodes_.size() > kMaxTape)
            throw CompileError{"the derivatives are too large to compile (more than " +
                               std::to_string(kMaxTape) + " operations)"};
        const int id = static_cast<int>(nodes_.size()) - 1;
        cse_.emplace(cse_key, id);
        return id;
    }

    int compile(const GiNaC::ex& e) {
        if (auto it = memo_.find(e); it != memo_.end()) return it->second;
        const int r = compile_uncached(e);
        memo_.emplace(e, r);
        return r;
    }

    Program extract(const std::vector<int>& outputs) const {
        std::vector<int> remap(nodes_.size(), -1);
        std::vector<char> live(nodes_.size(), 0);
        for (int o : outputs)
            live[o] = 1;
        for (size_t i = nodes_.size(); i-- > 0;) {
            if (!live[i]) continue;
            const TNode& n = nodes_[i];
            if (n.op != kConst && n.op != kVar) {
                live[n.a] = 1;
                if (n.b >= 0) live[n.b] = 1;
            }
        }
        Program p;
        int reg = 0;
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (live[i] && nodes_[i].op == kConst) {
                p.consts.push_back(nodes_[i].c);
                remap[i] = reg++;
            }
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (live[i] && nodes_[i].op == kVar) {
                p.vars.push_back(static_cast<uint32_t>(nodes_[i].a));
                remap[i] = reg++;
            }
        for (size_t i = 0; i < nodes_.size(); ++i) {
            const TNode& n = nodes_[i];
            if (!live[i] || n.op == kConst || n.op == kVar) continue;
            Instr in{n.op, static_cast<uint32_t>(remap[n.a]),
                     static_cast<uint32_t>(n.b >= 0 ? remap[n.b] : 0), 0.0};
            remap[i] = reg++;
            p.code.push_back(in);
        }
        for (int o : outputs)
            p.outputs.push_back(static_cast<uint32_t>(remap[o]));
        return p;
    }

  private:
    static double to_double(const GiNaC::numeric& n) {
        if (!n.is_real()) throw CompileError{"the expression takes complex values"};
        try {
            return n.to_double();
        } catch (const std::exception&) {
            return n.is_positive() ? std::numeric_limits<double>::infinity()
                                   : -std::numeric_limits<double>::infinity();
        }
    }

    // Sorts operands by structural key so the order of operations never depends on GiNaC's
    // internal (hash) order: the same expression always gives bit-identical results.
    void sort_by_key(std::vector<int>& v) const {
        std::stable_sort(v.begin(), v.end(),
                         [&](int x, int y) { return nodes_[x].key < nodes_[y].key; });
    }

    int fold(std::vector<int> v, uint8_t op) {
        sort_by_key(v);
        int r = v[0];
        for (size_t i = 1; i < v.size(); ++i)
            r = node(op, r, v[i]);
        return r;
    }

    int int_pow(int x, long k) {
        if (k == 0) return constant(1.0);
        if (k == 1) return x;
        const int h = int_pow(x, k / 2);
        const int sq = node(kMul, h, h);
        return k % 2 ? node(kMul, sq, x) : sq;
    }

    int compile_power(const GiNaC::ex& base, const GiNaC::ex& expo) {
        if (GiNaC::is_a<GiNaC::numeric>(expo) && GiNaC::ex_to<GiNaC::numeric>(expo).is_real()) {
            const GiNaC::numeric k = GiNaC::ex_to<GiNaC::numeric>(expo);
            const GiNaC::numeric k2 = k * 2;
            if (k2.is_integer() && abs(k2) <= 129) {
                const long m = k2.to_long();
                int b = compile(base);
                long p = std::abs(m);
                if (m % 2) {
                    b = node(kSqrt, b, -1);
                } else {
                    p /= 2;
                }
                const int r = int_pow(b, p);
                return m < 0 ? node(kDiv, constant(1.0), r) : r;
            }
            return node(kPow, compile(base), constant(to_double(k)));
        }
        return node(kPow, compile(base), compile(expo));
    }

    // A negative numeric coefficient of a product, or 0 if none.
    static bool negative_term(const GiNaC::ex& t) {
        if (GiNaC::is_a<GiNaC::numeric>(t))
            return GiNaC::ex_to<GiNaC::numeric>(t).is_real() &&
                   GiNaC::ex_to<GiNaC::numeric>(t).is_negative();
        if (!GiNaC::is_a<GiNaC::mul>(t) || t.nops() == 0) return false;
        const GiNaC::ex last = t.op(t.nops() - 1);
        return GiNaC::is_a<GiNaC::numeric>(last) && GiNaC::ex_to<GiNaC::numeric>(last).is_real() &&
               GiNaC::ex_to<GiNaC::numeric>(last).is_negative();
    }

    int compile_uncached(const GiNaC::ex& e) {
        using namespace GiNaC;
        if (is_a<numeric>(e)) return constant(to_double(ex_to<numeric>(e)));
        if (is_a<symbol>(e)) {
            const auto& q = q_symbols();
            for (int i = 0; i < kMaxExpressionDim; ++i)
                if (e.is_equal(q[i])) return var(i);
            throw CompileError{"unknown symbol " + ex_to<symbol>(e).get_name()};
        }
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            const ex v = e.evalf();
            if (!is_a<numeric>(v)) throw CompileError{"a constant has no numeric value"};
            return constant(to_double(ex_to<numeric>(v)));
        }
        if (is_a<add>(e)) {
            std::vector<int> pos, neg;
            for (size_t i = 0; i < e.nops(); ++i) {
                const ex t = e.op(i);
                if (negative_term(t))
                    neg.push_back(compile(-t));
                else
                    pos.push_back(compile(t));
            }
            if (pos.empty()) {
                sort_by_key(neg);
                int r = node(kNeg, neg[0], -1);
                for (size_t i = 1; i < neg.size(); ++i)
                    r = node(kSub, r, neg[i]);
                return r;
            }
            int r = fold(pos, kAdd);
            sort_by_key(neg);
            for (int n : neg)
                r = node(kSub, r, n);
            return r;
        }
        if (is_a<mul>(e)) {
            double coeff = 1.0;
            std::vector<int> num, den;
            for (size_t i = 0; i < e.nops(); ++i) {
                const ex f = e.op(i);
                if (is_a<numeric>(f)) {
                    coeff *= to_double(ex_to<numeric>(f));
                } else if (is_a<power>(f) && is_a<numeric>(f.op(1)) &&
                           ex_to<numeric>(f.op(1)).is_real() &&
                           ex_to<numeric>(f.op(1)).is_negative()) {
                    den.push_back(compile_power(f.op(0), -f.op(1)));
                } else {
                    num.push_back(compile(f));
                }
            }
            const double mag = std::abs(coeff);
            if (mag != 1.0) num.push_back(constant(mag));
            int r = num.empty() ? constant(1.0) : fold(num, kMul);
            if (!den.empty()) r = node(kDiv, r, fold(den, kMul));
            return coeff < 0 ? node(kNeg, r, -1) : r;
        }
        if (is_a<power>(e)) return compile_power(e.op(0), e.op(1));
        if (is_a<function>(e)) {
            const unsigned s = ex_to<function>(e).get_serial();
            uint8_t op;
            if (s == exp_SERIAL::serial)
                op = kExp;
            else if (s == log_SERIAL::serial)
                op = kLog;
            else if (s == sin_SERIAL::serial)
                op = kSin;
            else if (s == cos_SERIAL::serial)
                op = kCos;
            else if (s == tan_SERIAL::serial)
                op = kTan;
            else if (s == sinh_SERIAL::serial)
                op = kSinh;
            else if (s == cosh_SERIAL::serial)
                op = kCosh;
            else if (s == tanh_SERIAL::serial)
                op = kTanh;
            else if (s == nl_abs_SERIAL::serial)
                op = kAbs;
            else if (s == nl_sign_SERIAL::serial)
                op = kSign;
            else if (s == nl_softplus_SERIAL::serial)
                op = kSoftplus;
            else if (s == nl_sigmoid_SERIAL::serial)
                op = kSigmoid;
            else if (s == nl_logcosh_SERIAL::serial)
                op = kLogcosh;
            else
                throw CompileError{"the symbolic derivative uses an unsupported function '" +
                                   ex_to<function>(e).get_name() + "'"};
            return node(op, compile(e.op(0)), -1);
        }
        std::ostringstream os;
        os << e;
        throw CompileError{"cannot compile the term " + os.str().substr(0, 80)};
    }

    std::vector<TNode> nodes_;
    std::map<std::tuple<uint8_t, int, int, uint64_t>, int> cse_;
    std::map<GiNaC::ex, int, GiNaC::ex_is_less> memo_;
};

// Scratch registers per thread: evaluation is reentrant and allocates only on first use.
double* registers(size_t n) {
    thread_local std::vector<double> buf;
    if (buf.size() < n) buf.resize(n);
    return buf.data();
}

inline void run(const Program& p, const double* q, double* r) {
    const size_t nc = p.consts.size(), nv = p.vars.size();
    for (size_t i = 0; i < nc; ++i)
        r[i] = p.consts[i];
    for (size_t i = 0; i < nv; ++i)
        r[nc + i] = q[p.vars[i]];
    double* out = r + nc + nv;
    const Instr* code = p.code.data();
    const size_t n = p.code.size();
    for (size_t i = 0; i < n; ++i) {
        const Instr& in = code[i];
        const double x = r[in.a];
        double v;
        switch (in.op) {
            case kAdd:
                v = x + r[in.b];
                break;
            case kSub:
                v = x - r[in.b];
                break;
            case kMul:
                v = x * r[in.b];
                break;
            case kDiv:
                v = x / r[in.b];
                break;
            case kNeg:
                v = -x;
                break;
            case kSqrt:
                v = std::sqrt(x);
                break;
            case kPow:
                v = std::pow(x, r[in.b]);
                break;
            case kExp:
                v = std::exp(x);
                break;
            case kLog:
                v = std::log(x);
                break;
            case kSin:
                v = std::sin(x);
                break;
            case kCos:
                v = std::cos(x);
                break;
            case kTan:
                v = std::tan(x);
                break;
            case kSinh:
                v = std::sinh(x);
                break;
            case kCosh:
                v = std::cosh(x);
                break;
            case kTanh:
                v = std::tanh(x);
                break;
            default:
                v = apply_op(in.op, x, r[in.b]);
                break;
        }
        out[i] = v;
    }
}

// ---------------------------------------------------------------------------------------------
// The loss.

class ExpressionLoss final : public Loss {
  public:
    ExpressionLoss(std::string text, int dim, double eps, Program value, Program grad, Program hess)
        : Loss("expr", dim, eps),
          text_(std::move(text)),
          value_(std::move(value)),
          grad_(std::move(grad)),
          hess_(std::move(hess)) {}

    using Loss::gradient;
    using Loss::hessian;
    std::string formula() const override { return "f = " + text_; }
    double value(VecRef q) const override {
        double* r = registers(value_.registers());
        run(value_, q.data(), r);
        return r[value_.outputs[0]];
    }
    void gradient(VecRef q, VecOut g) const override {
        double* r = registers(grad_.registers());
        run(grad_, q.data(), r);
        for (int i = 0; i < dim_; ++i)
            g[i] = r[grad_.outputs[i]];
    }
    void hessian(VecRef q, MatOut H) const override {
        double* r = registers(hess_.registers());
        run(hess_, q.data(), r);
        size_t k = 0;
        for (int i = 0; i < dim_; ++i)
            for (int j = 0; j <= i; ++j) {
                const double h = r[hess_.outputs[k++]];
                H(i, j) = h;
                H(j, i) = h;
            }
    }
    /// Instructions of the value, gradient and Hessian tapes (for benchmarks and docs).
    std::array<size_t, 3> tape_sizes() const {
        return {value_.registers(), grad_.registers(), hess_.registers()};
    }

  private:
    std::string text_;
    Program value_, grad_, hess_;
};

bool valid_constant_name(const std::string& s) {
    if (s.empty() || s.size() > 32) return false;
    if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

bool is_q_name(const std::string& s) {
    return s.size() >= 2 && s[0] == 'q' &&
           std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error expr_error(int pos, const std::string& problem) {
    std::string m = "at position ";
    m.append(std::to_string(pos)).append(": ").append(problem);
    return Error{"expr", m};
}

// Fixed check points: one with every coordinate positive (log, sqrt), two of mixed signs.
std::vector<Vector> check_points(int n) {
    std::vector<Vector> pts(3, Vector(n));
    for (int i = 0; i < n; ++i) {
        pts[0][i] = 0.7 + 0.13 * i;
        pts[1][i] = (i % 2 ? -1.0 : 1.0) * (0.4 + 0.17 * i);
        pts[2][i] = -0.6 + 0.29 * i + 0.011;
    }
    return pts;
}

// Reference evaluation of a symbolic output at a point: a plain recursive walk of GiNaC's tree
// in double precision, in GiNaC's own order, with none of the tape's sharing, reordering or
// power rewriting. (GiNaC's evalf is no reference here: it takes forever on towers like
// 2e22^(2e2^q2), whose float exponents it turns into exact integers.) `scale` collects the
// largest magnitude met (terms of sums included), which bounds the rounding error.
struct Reference {
    double value;
    double scale;
};

double reference_walk(const GiNaC::ex& e, const double* q, double& scale) {
    using namespace GiNaC;
    double v = std::numeric_limits<double>::quiet_NaN();
    if (is_a<numeric>(e)) {
        const auto& n = ex_to<numeric>(e);
        if (n.is_real()) {
            try {
                v = n.to_double();
            } catch (const std::exception&) {
                v = n.is_positive() ? std::numeric_limits<double>::infinity()
                                    : -std::numeric_limits<double>::infinity();
            }
        }
    } else if (is_a<symbol>(e)) {
        const auto& qs = q_symbols();
        for (int i = 0; i < kMaxExpressionDim; ++i)
            if (e.is_equal(qs[i])) v = q[i];
    } else if (is_a<GiNaC::constant>(e)) {
        if (e.is_equal(Pi)) v = std::numbers::pi;
    } else if (is_a<add>(e)) {
        v = 0.0;
        double mag = 0.0;
        for (size_t i = 0; i < e.nops(); ++i) {
            const double t = reference_walk(e.op(i), q, scale);
            v += t;
            mag += std::abs(t);
        }
        scale = std::max(scale, mag);
    } else if (is_a<mul>(e)) {
        v = 1.0;
        for (size_t i = 0; i < e.nops(); ++i)
            v *= reference_walk(e.op(i), q, scale);
    } else if (is_a<power>(e)) {
        v = std::pow(reference_walk(e.op(0), q, scale), reference_walk(e.op(1), q, scale));
    } else if (is_a<function>(e)) {
        const unsigned s = ex_to<function>(e).get_serial();
        const double x = reference_walk(e.op(0), q, scale);
        if (s == exp_SERIAL::serial)
            v = std::exp(x);
        else if (s == log_SERIAL::serial)
            v = std::log(x);
        else if (s == sin_SERIAL::serial)
            v = std::sin(x);
        else if (s == cos_SERIAL::serial)
            v = std::cos(x);
        else if (s == tan_SERIAL::serial)
            v = std::tan(x);
        else if (s == sinh_SERIAL::serial)
            v = std::sinh(x);
        else if (s == cosh_SERIAL::serial)
            v = std::cosh(x);
        else if (s == tanh_SERIAL::serial)
            v = std::tanh(x);
        else if (s == nl_abs_SERIAL::serial)
            v = std::abs(x);
        else if (s == nl_sign_SERIAL::serial)
            v = sign_d(x);
        else if (s == nl_softplus_SERIAL::serial)
            v = softplus_d(x);
        else if (s == nl_sigmoid_SERIAL::serial)
            v = sigmoid_d(x);
        else if (s == nl_logcosh_SERIAL::serial)
            v = logcosh_d(x);
    }
    if (std::isfinite(v)) scale = std::max(scale, std::abs(v));
    return v;
}

Reference reference_value(const GiNaC::ex& e, const Vector& p) {
    Reference r{0.0, 0.0};
    r.value = reference_walk(e, p.data(), r.scale);
    return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::shared_ptr<const Loss>> make_expression_loss(const LossSpec& spec) {
    const std::string& text = spec.expr;
    // Dimension and constants.
    if (spec.expr_dim < 0 || spec.expr_dim > kMaxExpressionDim)
        return Error{"dim", "must be between 1 and " + std::to_string(kMaxExpressionDim) +
                                " (got " + std::to_string(spec.expr_dim) + ")"};
    std::map<std::string, double> consts = spec.constants;
    for (const auto& [name, value] : consts) {
        if (!valid_constant_name(name))
            return Error{"const", "'" + name +
                                      "' is not a valid name (letters, digits and _, not "
                                      "starting with a digit, at most 32 characters)"};
        if (is_q_name(name) || find_function(name) || name == "pi")
            return Error{"const", "'" + name + "' is reserved (parameters, functions and pi)"};
        if (!std::isfinite(value)) return Error{"const", "'" + name + "' must be a finite number"};
    }
    if (!std::isfinite(spec.eps)) return Error{"eps", "must be a finite number"};
    double eps = spec.eps;
    if (auto it = consts.find("eps"); it != consts.end()) {
        if (spec.eps != 0.0 && spec.eps != it->second)
            return Error{"eps", "given twice with different values (--eps " +
                                    format_double(spec.eps) +
                                    " and --const eps=" + format_double(it->second) + ")"};
        eps = it->second;
    }
    consts["eps"] = eps;
    // Length and emptiness.
    if (text.size() > kMaxExpressionLength)
        return expr_error(static_cast<int>(kMaxExpressionLength) + 1,
                          "the expression is longer than " + std::to_string(kMaxExpressionLength) +
                              " characters");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return expr_error(1, "the expression is empty");

    // Parse.
    std::vector<Node> nodes;
    int root = -1, dim = spec.expr_dim;
    try {
        Parser p(text, spec.expr_dim, consts);
        root = p.parse();
        nodes = std::move(p.nodes);
        if (dim == 0) dim = p.max_q;
    } catch (const ParseError& e) {
        return expr_error(e.pos, e.problem);
    }
    if (dim == 0)
        return expr_error(1,
                          "the expression uses no parameter q1..q8 (give the dimension with "
                          "--dim N)");

    // Differentiate and compile (GiNaC is not thread-safe).
    Program value, grad, hess;
    std::vector<Vector> points = check_points(dim);
    std::vector<std::vector<Reference>> reference;  // values at the points, per output
    try {
        std::lock_guard<std::mutex> lock(ginac_mutex());
        const auto& q = q_symbols();
        GiNaC::ex f;
        try {
            f = ToGinac(nodes).convert(root);
        } catch (const ParseError& e) {
            return expr_error(e.pos, e.problem);
        }
        const std::string too_big =
            "the expression is too complex to differentiate twice (simplify it)";
        if (diff_cost(f, kDiffBudget) * static_cast<size_t>(dim) > kDiffBudget)
            return expr_error(1, too_big);
        std::vector<GiNaC::ex> g(dim);
        for (int i = 0; i < dim; ++i)
            g[i] = f.diff(q[i]);
        size_t cost = 0;
        for (int i = 0; i < dim; ++i)
            cost += diff_cost(g[i], kDiffBudget) * static_cast<size_t>(i + 1);
        if (cost > kDiffBudget) return expr_error(1, too_big);
        std::vector<GiNaC::ex> h;
        for (int i = 0; i < dim; ++i)
            for (int j = 0; j <= i; ++j)
                h.push_back(g[i].diff(q[j]));

        TapeBuilder tb;
        std::vector<int> out_g, out_h;
        const int out_f = tb.compile(f);
        for (const auto& e : g)
            out_g.push_back(tb.compile(e));
        for (const auto& e : h)
            out_h.push_back(tb.compile(e));
        value = tb.extract({out_f});
        grad = tb.extract(out_g);
        hess = tb.extract(out_h);

        // The reference walk of every output at the check points (small expressions only).
        size_t size = 0, width = 0;
        measure(f, kVerifyBudget, size, width);
        for (const auto& e : g)
            measure(e, kVerifyBudget, size, width);
        for (const auto& e : h)
            measure(e, kVerifyBudget, size, width);
        if (size <= kVerifyBudget) {
            for (const Vector& p : points) {
                std::vector<Reference> ref{reference_value(f, p)};
                for (const auto& e : g)
                    ref.push_back(reference_value(e, p));
                for (const auto& e : h)
                    ref.push_back(reference_value(e, p));
                reference.push_back(std::move(ref));
            }
        }
    } catch (const CompileError& e) {
        return expr_error(1, e.problem);
    } catch (const std::bad_alloc&) {
        return expr_error(1, "the expression is too large (out of memory)");
    } catch (const std::exception& e) {
        return expr_error(1, std::string("cannot differentiate the expression (") + e.what() + ")");
    }

    auto loss = std::make_shared<ExpressionLoss>(text, dim, eps, std::move(value), std::move(grad),
                                                 std::move(hess));
    // The compiled tapes must agree with the reference walk (at one check point at least: a
    // point can be ill-conditioned), and the derivatives with finite differences, wherever they
    // are finite.
    int compared = 0, agreed = 0;
    std::string disagreement;
    for (size_t k = 0; k < reference.size(); ++k) {
        const Vector& p = points[k];
        const double fv = loss->value(p);
        const Vector gv = loss->gradient(p);
        const Matrix hv = loss->hessian(p);
        std::vector<double> tape{fv};
        for (int i = 0; i < dim; ++i)
            tape.push_back(gv[i]);
        for (int i = 0; i < dim; ++i)
            for (int j = 0; j <= i; ++j)
                tape.push_back(hv(i, j));
        bool judged = false, ok = true;
        for (size_t o = 0; o < tape.size(); ++o) {
            const Reference& ref = reference[k][o];
            if (!std::isfinite(ref.value) || !std::isfinite(tape[o]) || !std::isfinite(ref.scale))
                continue;
            judged = true;
            if (std::abs(tape[o] - ref.value) > 1e-9 * (1.0 + ref.scale)) {
                ok = false;
                disagreement = "the compiled expression gives " + format_double(tape[o]) +
                               " where the reference gives " + format_double(ref.value);
            }
        }
        compared += judged;
        agreed += judged && ok;
    }
    if (compared > 0 && agreed == 0)
        return expr_error(
            1, "internal check failed: " + disagreement + " (please report this expression)");
    for (const Vector& p : points)
        if (auto s = check_derivatives(*loss, p); !s) return s.error();
    return std::shared_ptr<const Loss>(std::move(loss));
}

// ---------------------------------------------------------------------------------------------
// Public helpers (noether/expression.hpp).

const std::vector<ExpressionFunction>& expression_functions() {
    static const std::vector<ExpressionFunction> list = [] {
        std::vector<ExpressionFunction> v;
        for (const auto& f : kFunctions)
            v.push_back({f.name, f.arity, f.doc});
        return v;
    }();
    return list;
}

const std::vector<ExpressionExample>& expression_examples() {
    static const std::vector<ExpressionExample> list = {
        {"Mexican hat (rotation_hat)",
         "(q1^2 + q2^2 - 1)^2/4 + eps*q1",
         {{"eps", 0.0}},
         {0.6, 0.5}},
        {"Two-layer scalar net (rescale_2d)",
         "(q1*q2 - 1)^2/2 + eps*q1^2/2",
         {{"eps", 0.0}},
         {2.0, 0.3}},
        {"Valley (translation_valley)",
         "(q1 - q2 - 1)^2/2 + eps*logcosh(q1 + q2)",
         {{"eps", 0.0}},
         {0.5, -1.0}},
        {"Logistic difference (translation_logistic)",
         "softplus(q2 - q1) + eps*logcosh(q1 + q2)",
         {{"eps", 0.0}},
         {0.5, -1.0}},
        {"Scale-invariant cosine (scale_cos, θ* = 0)",
         "1 - q1/sqrt(q1^2 + q2^2 + eps)",
         {{"eps", 0.0}},
         {-0.4161468365471424, 0.9092974268256817}},
        {"Rayleigh quotient in 3-D",
         "(q1^2 + 2*q2^2 + 3*q3^2)/(q1^2 + q2^2 + q3^2 + eps)",
         {{"eps", 0.0}},
         {1.0, 1.0, 1.0}},
        {"Elliptic bowl: a hidden elliptic rotation", "(q1^2 + 10*q2^2)/2", {}, {1.0, 1.0}},
        {"Hyperbola valley: a boost symmetry", "(q1^2 - q2^2 - 1)^2/4", {}, {1.5, 0.5}},
        {"Tilted ridge: a family of shears", "(q1 + 2*q2)^2/2 + sin(q1 + 2*q2)", {}, {1.0, 0.5}},
        {"No symmetry", "q1^4/4 + q2^2/2 + q1*q2/3", {}, {1.0, -0.5}},
    };
    return list;
}

int expression_error_position(const Error& error) {
    const std::string key = "at position ";
    if (error.message.rfind(key, 0) != 0) return 0;
    int pos = 0;
    const char* s = error.message.c_str() + key.size();
    const char* end = s + std::strlen(s);
    const auto r = std::from_chars(s, end, pos);
    return r.ec == std::errc() ? pos : 0;
}

Status check_derivatives(const Loss& loss, VecRef q) {
    const int n = loss.dim();
    if (q.size() != n) return Error{"q", "needs " + std::to_string(n) + " numbers"};
    const double f0 = loss.value(q);
    const Vector g = loss.gradient(q);
    const Matrix H = loss.hessian(q);
    if (!std::isfinite(f0) || !g.allFinite() || !H.allFinite()) return {};
    Vector x = q, gp(n), gm(n), gp2(n), gm2(n);
    const auto fmt_q = [&] {
        std::string s = "(";
        for (int i = 0; i < n; ++i)
            s.append(i ? ", " : "").append(format_double(q[i]));
        return s + ")";
    };
    for (int i = 0; i < n; ++i) {
        const double h = 1e-4 * (1.0 + std::abs(q[i]));
        // Central differences at h and h/2, then Richardson: error O(h^4).
        const auto diff_f = [&](double step) {
            x[i] = q[i] + step;
            const double fp = loss.value(x);
            x[i] = q[i] - step;
            const double fm = loss.value(x);
            x[i] = q[i];
            return (fp - fm) / (2 * step);
        };
        const double d1 = diff_f(h), d2 = diff_f(h / 2);
        const double spread = std::abs(d1 - d2);
        const double fd = d2 + (d2 - d1) / 3.0;
        const double tol_g = 1e-6 * (1.0 + std::abs(g[i])) + 1e-11 * (1.0 + std::abs(f0)) / h;
        if (std::isfinite(fd) && spread <= 1e-3 * (1.0 + std::abs(d2)) &&
            std::abs(fd - g[i]) > tol_g + spread) {
            return Error{"expr", "derivative check failed at q = " + fmt_q() + ": df/dq" +
                                     std::to_string(i + 1) + " = " + format_double(g[i]) +
                                     " but finite differences give " + format_double(fd)};
        }
        // Hessian column i from differences of the gradient.
        const auto diff_g = [&](double step, Vector& out) {
            x[i] = q[i] + step;
            loss.gradient(x, gp2);
            x[i] = q[i] - step;
            loss.gradient(x, gm2);
            x[i] = q[i];
            out = (gp2 - gm2) / (2 * step);
        };
        diff_g(h, gp);
        diff_g(h / 2, gm);
        for (int j = 0; j < n; ++j) {
            const double s = std::abs(gp[j] - gm[j]);
            const double fdh = gm[j] + (gm[j] - gp[j]) / 3.0;
            const double tol_h =
                1e-6 * (1.0 + std::abs(H(j, i))) + 1e-11 * (1.0 + g.cwiseAbs().maxCoeff()) / h;
            if (std::isfinite(fdh) && s <= 1e-3 * (1.0 + std::abs(gm[j])) &&
                std::abs(fdh - H(j, i)) > tol_h + s)
                return Error{"expr", "derivative check failed at q = " + fmt_q() + ": d2f/dq" +
                                         std::to_string(j + 1) + "dq" + std::to_string(i + 1) +
                                         " = " + format_double(H(j, i)) +
                                         " but finite differences give " + format_double(fdh)};
        }
    }
    return {};
}

}  // namespace noether

// ---------------------------------------------------------------------------------------------
// CLN (under GiNaC) allocates a printer string in a static initialiser and never frees it; under
// LeakSanitizer every binary linking the core would report it at exit. The frames of an
// unsymbolised libcln cannot be matched by function name, so the library is named.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NOETHER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(NOETHER_ASAN)
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libcln.so\n";
}
#endif
