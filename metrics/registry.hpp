#pragma once
// A small metrics registry written out in Prometheus's text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): counters, gauges and histograms
// with fixed buckets, grouped in families that share a name, a help text and label names.
//
// Scribe writes its own rather than taking a client library: the format is a page long, and what
// Scribe needs (a handful of families, no push, no exemplars) fits in two files without a new
// dependency.
//
// Thread-safety: everything may be called from any thread. Updating a metric is an atomic
// operation; looking a labelled child up takes its family's mutex for a map lookup, which does not
// allocate when the child exists. Families and children are never removed, so references to them
// stay valid as long as the registry.
//
// Label values are whatever the caller passes: keep them bounded (a route pattern, not a path) and
// free of secrets, since everything here is served to whoever may scrape.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::metrics {

// A count that only goes up (requests served, retries). Lock-free.
class counter {
 public:
  void inc(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (open incidents, memory in use). Lock-free.
class gauge {
 public:
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void add(double by) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations sorted into fixed buckets by upper bound, plus their count and sum. Lock-free: a
// scrape concurrent with observe() may see the sum one observation behind the buckets, which
// Prometheus tolerates; the count is computed from the buckets, so it always equals the +Inf
// bucket.
class histogram {
 public:
  // `bounds`: strictly increasing finite upper bounds, owned by the family (it outlives this).
  explicit histogram(std::span<const double> bounds);

  void observe(double value) noexcept;

  struct snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf: observations <= bound
    double sum = 0;
  };
  snapshot read() const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

enum class metric_type { counter, gauge, histogram };

namespace detail {

// Orders label-value tuples; transparent, so a lookup with string_views does not allocate.
struct values_less {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

// What the registry keeps of every family, whatever its metric type.
class family_base {
 public:
  family_base(std::string name, std::string help, std::vector<std::string> label_names,
              metric_type type);
  virtual ~family_base() = default;
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  metric_type type() const { return type_; }

  // Appends the family's HELP and TYPE lines and its samples, children ordered by label values;
  // nothing when it has no child yet.
  void render(std::string& out) const;

 protected:
  // Throws std::invalid_argument unless `count` matches the label names.
  void check_arity(std::size_t count) const;
  virtual bool empty() const = 0;
  virtual void render_samples(std::string& out) const = 0;

  mutable std::mutex mutex_;  // guards the children maps of the derived classes

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  metric_type type_;
};

}  // namespace detail

// All metrics of one name, one child per combination of label values. Created by a registry.
template <class Metric>
class family final : public detail::family_base {
 public:
  family(std::string name, std::string help, std::vector<std::string> label_names, metric_type type,
         std::vector<double> bounds = {})
      : family_base(std::move(name), std::move(help), std::move(label_names), type),
        bounds_(std::move(bounds)) {}

  // The child for these label values, in the order of the family's label names; created at 0 on
  // first use. Throws std::invalid_argument when the number of values is wrong (a programming
  // error).
  Metric& with(std::initializer_list<std::string_view> values) {
    return with(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& with(std::span<const std::string_view> values);

 private:
  bool empty() const override;
  void render_samples(std::string& out) const override;

  const std::vector<double> bounds_;  // histograms only
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, detail::values_less> children_;
};

// A set of families with distinct names.
//
// Registering a name again with the same type, label names (and buckets) returns the family
// already there, so code may ask for its family wherever it needs it. Registering it differently,
// or with a malformed name ([a-zA-Z_:][a-zA-Z0-9_:]*; labels [a-zA-Z_][a-zA-Z0-9_]*, not starting
// with "__", and no "le" on a histogram), throws std::invalid_argument.
class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  family<counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names = {});
  family<gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  // `bounds`: strictly increasing finite bucket upper bounds (+Inf is implied).
  family<histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds);

  // The families in the exposition format, sorted by name.
  std::string render() const;

 private:
  friend std::string render(std::span<const registry* const> registries);
  template <class Metric>
  family<Metric>& add(std::string name, std::string help, std::vector<std::string> label_names,
                      metric_type type, std::vector<double> bounds);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<detail::family_base>, std::less<>> families_;
};

// Several registries as one exposition, families sorted by name across all of them (a name in more
// than one is written from the first). For metrics computed per scrape in a registry of their own.
std::string render(std::span<const registry* const> registries);

// The Content-Type of render()'s output.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

// A label value as the format quotes it: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
// A HELP text as the format wants it: backslash and line feed escaped.
std::string escape_help(std::string_view help);
// A sample value: shortest round-trip decimal, "+Inf", "-Inf" or "NaN".
std::string format_value(double value);

}  // namespace scribe::metrics
