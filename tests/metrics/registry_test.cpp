// The metrics registry and its text exposition format (Prometheus 0.0.4).

#include "metrics/registry.hpp"
#include "metrics/catalog.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace scribe::metrics {

TEST_CASE("a registry renders counters, gauges and histograms exactly", "[unit][metrics]") {
  registry r;
  auto& requests = r.counter_family("app_requests_total", "Requests.", {"route", "status"});
  requests.with({"/b", "200"}).inc();
  requests.with({"/a/{id}", "404"}).inc(2);
  requests.with({"/a/{id}", "200"}).inc(3);
  r.gauge_family("app_open", "Open things.").with({}).set(1.5);
  auto& latency = r.histogram_family("app_seconds", "Time taken.", {"route"}, {0.5, 1, 2.5});
  latency.with({"/b"}).observe(0.25);
  latency.with({"/b"}).observe(1);
  latency.with({"/b"}).observe(7);
  r.counter_family("app_unused_total", "Never incremented.", {"x"});

  // Families by name; children by label values; HELP and TYPE once per family; le last; +Inf
  // equal to _count; a family without children left out.
  CHECK(r.render() ==
        "# HELP app_open Open things.\n"
        "# TYPE app_open gauge\n"
        "app_open 1.5\n"
        "# HELP app_requests_total Requests.\n"
        "# TYPE app_requests_total counter\n"
        "app_requests_total{route=\"/a/{id}\",status=\"200\"} 3\n"
        "app_requests_total{route=\"/a/{id}\",status=\"404\"} 2\n"
        "app_requests_total{route=\"/b\",status=\"200\"} 1\n"
        "# HELP app_seconds Time taken.\n"
        "# TYPE app_seconds histogram\n"
        "app_seconds_bucket{route=\"/b\",le=\"0.5\"} 1\n"
        "app_seconds_bucket{route=\"/b\",le=\"1\"} 2\n"
        "app_seconds_bucket{route=\"/b\",le=\"2.5\"} 2\n"
        "app_seconds_bucket{route=\"/b\",le=\"+Inf\"} 3\n"
        "app_seconds_sum{route=\"/b\"} 8.25\n"
        "app_seconds_count{route=\"/b\"} 3\n");
}

TEST_CASE("label values and help texts are escaped as the format says", "[unit][metrics]") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("a\\b") == "a\\\\b");
  CHECK(escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
  CHECK(escape_label_value("two\nlines") == "two\\nlines");
  CHECK(escape_label_value("{}=, \t") == "{}=, \t");  // only the three need escaping
  CHECK(escape_help("back\\slash \"quoted\"\nnext") == "back\\\\slash \"quoted\"\\nnext");

  registry r;
  r.counter_family("odd_total", "Help with \\ and\na line break.", {"v"})
      .with({"C:\\path \"x\"\n"})
      .inc();
  CHECK(r.render() ==
        "# HELP odd_total Help with \\\\ and\\na line break.\n"
        "# TYPE odd_total counter\n"
        "odd_total{v=\"C:\\\\path \\\"x\\\"\\n\"} 1\n");
}

TEST_CASE("sample values use the format's spelling", "[unit][metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(10) == "10");
  CHECK(format_value(0.0005) == "0.0005");
  CHECK(format_value(-2.5) == "-2.5");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(std::stod(format_value(1e-7)) == 1e-7);
}

TEST_CASE("registering a family again returns it, differently throws", "[unit][metrics]") {
  registry r;
  auto& first = r.counter_family("x_total", "X.", {"a"});
  CHECK(&r.counter_family("x_total", "X.", {"a"}) == &first);
  CHECK_THROWS_AS(r.counter_family("x_total", "X.", {"b"}), std::invalid_argument);
  CHECK_THROWS_AS(r.gauge_family("x_total", "X.", {"a"}), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_family("1x", "X."), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_family("x-y", "X."), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_family("y_total", "Y.", {"__reserved"}), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_family("y_total", "Y.", {"a", "a"}), std::invalid_argument);
  CHECK_THROWS_AS(r.histogram_family("h", "H.", {"le"}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(r.histogram_family("h", "H.", {}, {2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(first.with({}), std::invalid_argument);
  CHECK_THROWS_AS(first.with({"1", "2"}), std::invalid_argument);
  CHECK(&first.with({"v"}) == &first.with({"v"}));
}

TEST_CASE("several registries render as one, sorted across them", "[unit][metrics]") {
  registry long_lived;
  registry per_scrape;
  long_lived.counter_family("b_total", "B.").with({}).inc();
  per_scrape.gauge_family("a", "A.").with({}).set(2);
  per_scrape.gauge_family("c", "C.").with({}).set(3);
  const std::array<const registry*, 2> both{&long_lived, &per_scrape};
  CHECK(render(both) ==
        "# HELP a A.\n# TYPE a gauge\na 2\n"
        "# HELP b_total B.\n# TYPE b_total counter\nb_total 1\n"
        "# HELP c C.\n# TYPE c gauge\nc 3\n");
}

TEST_CASE("concurrent updates are all counted", "[unit][metrics]") {
  registry r;
  auto& hits = r.counter_family("hits_total", "Hits.", {"worker"});
  auto& took = r.histogram_family("took_seconds", "Took.", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&hits, &took, t] {
      for (int i = 0; i < 10000; ++i) {
        hits.with({t % 2 == 0 ? "even" : "odd"}).inc();
        took.with({}).observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(hits.with({"even"}).value() == 20000);
  CHECK(hits.with({"odd"}).value() == 20000);
  const auto snap = took.with({}).read();
  CHECK(snap.cumulative.back() == 40000);
  CHECK(snap.sum == 20000);
}

TEST_CASE("process metrics report the start time and resident memory", "[unit][metrics]") {
  registry snapshot;
  add_process_metrics(snapshot);
  const auto text = snapshot.render();
  CHECK(text.find("# TYPE scribe_process_start_time_seconds gauge\n") != std::string::npos);
  CHECK(text.find("\nscribe_process_resident_memory_bytes ") != std::string::npos);
  CHECK(text.find("scribe_process_resident_memory_bytes 0\n") == std::string::npos);
}

}  // namespace scribe::metrics
