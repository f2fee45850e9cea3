// Numeric types and the error channel shared by the whole engine.
// One scalar (double), one set of Eigen aliases, and Result<T>: a value or an Error that names
// the offending field (ARCHITECTURE.md rule 4: bad input is a value the caller must look at).
#pragma once

#include <Eigen/Core>
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace noether {

/// Dense column vector of parameters, gradients, velocities.
using Vector = Eigen::VectorXd;
/// Dense matrix (Hessians, generators, trajectories stored column per sample).
using Matrix = Eigen::MatrixXd;
/// Read-only view of a vector, accepted by every hot function.
using VecRef = Eigen::Ref<const Vector>;
/// Writable view of a vector (outputs).
using VecOut = Eigen::Ref<Vector>;
/// Writable view of a matrix (outputs).
using MatOut = Eigen::Ref<Matrix>;

/// Bad input: which field is wrong and what is wrong with it.
struct Error {
    std::string field;    ///< e.g. "lr", "q0", "loss"
    std::string message;  ///< e.g. "must be > 0 (got -1)"
    /// "field: message", suitable for one line on stderr or a status bar.
    std::string what() const { return field.empty() ? message : field + ": " + message; }
};

/// Either a value or an Error. A tiny stand-in for std::expected (C++23).
template <class T>
class Result {
  public:
    Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : data_(std::move(error)) {}  // NOLINT
    bool ok() const { return data_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const& {
        assert(ok());
        return std::get<0>(data_);
    }
    T& value() & {
        assert(ok());
        return std::get<0>(data_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(data_));
    }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const {
        assert(!ok());
        return std::get<1>(data_);
    }

  private:
    std::variant<T, Error> data_;
};

/// Result with no value: success, or an Error.
class Status {
  public:
    Status() = default;
    Status(Error e) : error_(std::move(e)), ok_(false) {}  // NOLINT
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

  private:
    Error error_;
    bool ok_ = true;
};

/// Formats a double with 17 significant digits (round-trips exactly): the bytes of printf's
/// "%.17g" in the C locale.
std::string format_double(double x);
/// The same into buf (at least kFormatDoubleChars bytes, not terminated); returns the length.
/// std::to_chars: about ten times faster than snprintf, what the CSV writers use.
inline constexpr int kFormatDoubleChars = 32;
int format_double(double x, char* buf);

}  // namespace noether
