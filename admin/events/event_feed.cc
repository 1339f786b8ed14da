#include "admin/events/event_feed.h"

#include "admin/events/sse_frame.h"
#include "common/wall_clock.h"

namespace meshlb::admin {
namespace {

// How long a client waits before reconnecting after losing the stream.
constexpr unsigned kRetryMs = 2000;

struct Source {
  std::string_view key;
  std::string_view path;
  std::string_view query_name;  // "" when the endpoint takes no query
  std::string_view query_value;
};

// The endpoints one tick is made of, in the order they appear in the event.
constexpr Source kSources[] = {
    {"server", "/server_info", "", ""},
    {"clusters", "/clusters", "", ""},
    {"summary", "/analytics/summary", "", ""},
    {"anomalies", "/analytics/anomalies", "state", "open"},
    {"alerts", "/alerts", "", ""},
    {"flows", "/flows", "limit", "20"},
};

bool isJson(const AdminResponse& response) {
  return response.content_type.starts_with("application/json");
}

}  // namespace

EventFeed::EventFeed(uv_loop_t* loop, AdminServer& server, AdminHandler handler)
    : loop_(loop), server_(server), handler_(std::move(handler)) {}

void EventFeed::start() {
  uv_timer_init(loop_, timer_.get());
  timer_.initialized(this);
  uv_timer_start(timer_.get(), &EventFeed::onTimer, kIntervalMs, kIntervalMs);
}

void EventFeed::stop() {
  timer_.close(nullptr);
}

std::string EventFeed::tickData(const AdminHandler& handler, int64_t unix_ms) {
  std::string data = std::string("{\"unix_ms\":").append(std::to_string(unix_ms));
  AdminRequest request;
  request.method = "GET";
  for (const Source& source : kSources) {
    request.path = std::string(source.path);
    request.query = QueryParams();
    if (!source.query_name.empty()) {
      request.query.add(std::string(source.query_name), std::string(source.query_value));
    }
    AdminResponse response = handler(request);
    data.append(",\"").append(source.key).append("\":");
    if (response.status == 200 && isJson(response) && !response.body.empty()) {
      // Endpoints end their bodies with a newline; without it the event is one data line.
      std::string_view body = response.body;
      while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
        body.remove_suffix(1);
      }
      data.append(body);
    } else {
      data.append("null");
    }
  }
  data.append("}");
  return data;
}

AdminResponse EventFeed::openStream(int64_t unix_ms, std::string_view first_tick) {
  AdminResponse response(200, "text/event-stream; charset=utf-8",
                         sseRetry(kRetryMs)
                             .append(sseEvent("hello", std::string("{\"unix_ms\":")
                                                           .append(std::to_string(unix_ms))
                                                           .append(",\"interval_ms\":")
                                                           .append(std::to_string(kIntervalMs))
                                                           .append("}")))
                             .append(sseEvent("tick", first_tick)));
  response.event_stream = true;
  return response;
}

void EventFeed::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<EventFeed*>(timer->data);
  if (self->server_.streamCount() == 0) {
    return;  // nobody listens: build nothing
  }
  self->server_.broadcast(sseEvent("tick", tickData(self->handler_, wallClockUnixMs())));
}

}  // namespace meshlb::admin
