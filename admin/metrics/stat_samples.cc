#include "admin/metrics/stat_samples.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace meshlb::admin::metrics {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

void appendEscaped(std::string& out, const std::string& value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void buildKey(std::string& key, const std::string& name, const Labels& labels) {
  key.assign(name);
  if (labels.empty()) {
    return;
  }
  key.push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) {
      key.push_back(',');
    }
    key.append(labels[i].first);
    key.append("=\"");
    appendEscaped(key, labels[i].second);
    key.push_back('"');
  }
  key.push_back('}');
}

// Collects samples, building each key once in a reused buffer and copying it only when the
// sample passes the filter.
class SampleSink {
 public:
  SampleSink(const LinearRegex* filter, std::vector<StatSample>& out)
      : filter_(filter), out_(out) {}

  void add(const std::string& name, const Labels& labels, double value) {
    buildKey(key_, name, labels);
    if (filter_ != nullptr && !filter_->fullMatch(key_)) {
      return;
    }
    out_.push_back(StatSample{key_, name, labels, value});
  }

 private:
  const LinearRegex* filter_;
  std::vector<StatSample>& out_;
  std::string key_;
};

// Counters and most gauges hold whole numbers, exact in a double below 2^53.
bool isWhole(double value) {
  return std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9.0e15;
}

// Whole numbers without a fraction; others with 12 significant digits, enough for seconds and
// short enough that an interpolated quantile reads 0.000475 rather than 0.00047500000000000005.
void appendValue(std::string& out, double value) {
  char buffer[64];
  std::to_chars_result result =
      isWhole(value)
          ? std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(value))
          : std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 12);
  out.append(buffer, result.ptr);
}

}  // namespace

double histogramQuantile(const std::vector<prometheus::ClientMetric::Bucket>& buckets,
                         double quantile) {
  if (buckets.empty() || buckets.back().cumulative_count == 0) {
    return 0;
  }
  const double rank = quantile * static_cast<double>(buckets.back().cumulative_count);
  uint64_t below = 0;
  double lower = 0;  // the previous finite bound
  for (const prometheus::ClientMetric::Bucket& bucket : buckets) {
    const uint64_t in_bucket = bucket.cumulative_count - below;
    if (in_bucket > 0 && static_cast<double>(bucket.cumulative_count) >= rank) {
      if (std::isinf(bucket.upper_bound)) {
        return lower;
      }
      const double fraction = (rank - static_cast<double>(below)) / static_cast<double>(in_bucket);
      return lower + (bucket.upper_bound - lower) * fraction;
    }
    below = bucket.cumulative_count;
    if (!std::isinf(bucket.upper_bound)) {
      lower = bucket.upper_bound;
    }
  }
  return lower;
}

std::vector<StatSample> statSamples(const std::vector<prometheus::MetricFamily>& families,
                                    const LinearRegex* filter) {
  std::vector<StatSample> samples;
  SampleSink sink(filter, samples);
  Labels labels;
  for (const prometheus::MetricFamily& family : families) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      labels.clear();
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        labels.emplace_back(label.name, label.value);
      }
      switch (family.type) {
        case prometheus::MetricType::Counter:
          sink.add(family.name, labels, metric.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          sink.add(family.name, labels, metric.gauge.value);
          break;
        case prometheus::MetricType::Histogram: {
          sink.add(family.name + "_count", labels,
                   static_cast<double>(metric.histogram.sample_count));
          sink.add(family.name + "_sum", labels, metric.histogram.sample_sum);
          for (const auto& [quantile, text] : kStatQuantiles) {
            labels.emplace_back("quantile", text);
            sink.add(family.name, labels, histogramQuantile(metric.histogram.bucket, quantile));
            labels.pop_back();
          }
          break;
        }
        default:
          break;  // the exporter registers no summaries or untyped metrics
      }
    }
  }
  std::sort(samples.begin(), samples.end(),
            [](const StatSample& a, const StatSample& b) { return a.key < b.key; });
  return samples;
}

std::string statSamplesText(const std::vector<StatSample>& samples) {
  std::string text;
  for (const StatSample& sample : samples) {
    text.append(sample.key);
    text.append(": ");
    appendValue(text, sample.value);
    text.push_back('\n');
  }
  return text;
}

nlohmann::json statSamplesJson(const std::vector<StatSample>& samples) {
  nlohmann::json stats = nlohmann::json::array();
  for (const StatSample& sample : samples) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [name, value] : sample.labels) {
      labels[name] = value;
    }
    nlohmann::json value;
    if (isWhole(sample.value)) {
      value = static_cast<int64_t>(sample.value);
    } else {
      value = sample.value;
    }
    stats.push_back({{"name", sample.name}, {"labels", std::move(labels)}, {"value", value}});
  }
  return {{"stats", std::move(stats)}};
}

}  // namespace meshlb::admin::metrics
