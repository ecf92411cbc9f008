#include "metrics/registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace scribe::metrics {
namespace {

bool is_name_start(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon_allowed && c == ':');
}

bool is_valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty() || !is_name_start(name.front(), colon_allowed)) return false;
  return std::all_of(name.begin(), name.end(), [colon_allowed](char c) {
    return is_name_start(c, colon_allowed) || (c >= '0' && c <= '9');
  });
}

std::string_view type_name(metric_type type) {
  switch (type) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    case metric_type::histogram: return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"}`, with `extra` (the histogram's le) last; nothing at all without labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& values, std::string_view value,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, label_names, values, extra_name, extra_value);
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  // General (%g-like) form, as Prometheus's own clients write values: "0.0005", not "5e-04".
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general);
  if (ec != std::errc{}) return "NaN";  // cannot happen: 32 bytes hold any double
  return std::string(buffer, end);
}

histogram::histogram(std::span<const double> bounds)
    : bounds_(bounds),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void histogram::observe(double value) noexcept {
  // Buckets are few (a dozen); a linear scan beats a binary search's branches at that size.
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

histogram::snapshot histogram::read() const {
  snapshot out;
  out.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative.push_back(running);
  }
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

namespace detail {

family_base::family_base(std::string name, std::string help, std::vector<std::string> label_names,
                         metric_type type)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type) {}

void family_base::check_arity(std::size_t count) const {
  if (count != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": expected " +
                                std::to_string(label_names_.size()) + " label values, got " +
                                std::to_string(count));
  }
}

void family_base::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  if (empty()) return;
  out += "# HELP ";
  out += name_;
  out += ' ';
  out += escape_help(help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_name(type_);
  out += '\n';
  render_samples(out);
}

}  // namespace detail

template <class Metric>
Metric& family<Metric>::with(std::span<const std::string_view> values) {
  check_arity(values.size());
  std::lock_guard lock(mutex_);
  if (auto it = children_.find(values); it != children_.end()) return *it->second;
  std::unique_ptr<Metric> child;
  if constexpr (std::is_same_v<Metric, histogram>) {
    child = std::make_unique<histogram>(std::span<const double>(bounds_));
  } else {
    child = std::make_unique<Metric>();
  }
  auto& made = *child;
  children_.emplace(std::vector<std::string>(values.begin(), values.end()), std::move(child));
  return made;
}

template <class Metric>
bool family<Metric>::empty() const {
  return children_.empty();
}

template <class Metric>
void family<Metric>::render_samples(std::string& out) const {
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<Metric, counter>) {
      append_sample(out, name(), "", label_names(), values, std::to_string(child->value()));
    } else if constexpr (std::is_same_v<Metric, gauge>) {
      append_sample(out, name(), "", label_names(), values, format_value(child->value()));
    } else {
      const auto snap = child->read();
      for (std::size_t i = 0; i < bounds_.size(); ++i) {
        append_sample(out, name(), "_bucket", label_names(), values,
                      std::to_string(snap.cumulative[i]), "le", format_value(bounds_[i]));
      }
      const std::string count = std::to_string(snap.cumulative.back());
      append_sample(out, name(), "_bucket", label_names(), values, count, "le", "+Inf");
      append_sample(out, name(), "_sum", label_names(), values, format_value(snap.sum));
      append_sample(out, name(), "_count", label_names(), values, count);
    }
  }
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

registry::registry() = default;
registry::~registry() = default;

template <class Metric>
family<Metric>& registry::add(std::string name, std::string help,
                              std::vector<std::string> label_names, metric_type type,
                              std::vector<double> bounds) {
  const auto fail = [&name](std::string_view why) {
    throw std::invalid_argument("metric " + name + ": " + std::string(why));
  };
  if (!is_valid_name(name, true)) fail("a name is [a-zA-Z_:][a-zA-Z0-9_:]*");
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& label = label_names[i];
    if (!is_valid_name(label, false) || label.starts_with("__")) {
      fail("a label name is [a-zA-Z_][a-zA-Z0-9_]* and does not start with \"__\"");
    }
    if (type == metric_type::histogram && label == "le") fail("\"le\" is the histogram's own");
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i),
                  label) != label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      fail("a label name appears twice");
    }
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      fail("bucket bounds are finite and strictly increasing");
    }
  }

  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<family<Metric>*>(it->second.get());
    if (existing == nullptr || existing->type() != type || existing->label_names() != label_names) {
      fail("registered already with another type or other labels");
    }
    return *existing;
  }
  auto made = std::make_unique<family<Metric>>(name, std::move(help), std::move(label_names), type,
                                               std::move(bounds));
  auto& result = *made;
  families_.emplace(std::move(name), std::move(made));
  return result;
}

family<counter>& registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  return add<counter>(std::move(name), std::move(help), std::move(label_names),
                      metric_type::counter, {});
}

family<gauge>& registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return add<gauge>(std::move(name), std::move(help), std::move(label_names), metric_type::gauge,
                    {});
}

family<histogram>& registry::histogram_family(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  return add<histogram>(std::move(name), std::move(help), std::move(label_names),
                        metric_type::histogram, std::move(bounds));
}

std::string registry::render() const {
  const registry* self = this;
  return metrics::render(std::span<const registry* const>(&self, 1));
}

std::string render(std::span<const registry* const> registries) {
  // Families are never removed, so the pointers stay valid after the registries' locks are let go.
  std::map<std::string_view, const detail::family_base*> sorted;
  for (const registry* r : registries) {
    std::lock_guard lock(r->mutex_);
    for (const auto& [name, fam] : r->families_) sorted.emplace(name, fam.get());
  }
  std::string out;
  for (const auto& [name, fam] : sorted) fam->render(out);
  return out;
}

}  // namespace scribe::metrics
