#pragma once

#include <uv.h>

#include <cstdint>
#include <string>

#include "admin/admin_server.h"
#include "common/uv_handle.h"

namespace meshlb::admin {

// GET /events: the dashboard's live feed, also handy for scripts. Once a second, while at least
// one client listens, it builds one "tick" event out of the admin API's own read endpoints
// (server_info, clusters, analytics summary and open anomalies, alerts, the top flows), so the
// stream says exactly what those endpoints say, and broadcasts it to the server's event streams.
// Nothing is built while nobody listens. Main thread only (the AdminServer's loop).
class EventFeed {
 public:
  static constexpr uint64_t kIntervalMs = 1000;

  EventFeed(uv_loop_t* loop, AdminServer& server, AdminHandler handler);
  void start();
  // Stops the timer; the loop must run once more for its close callback.
  void stop();

  // The data of one tick event: {"unix_ms", "server", "clusters", "summary", "anomalies",
  // "alerts", "flows"}, each the body of the matching GET endpoint, or null where that endpoint
  // does not answer 200 with JSON (analytics, alerting or capture turned off).
  static std::string tickData(const AdminHandler& handler, int64_t unix_ms);

  // The answer to GET /events: the stream's head, a "hello" event and a first "tick" event
  // carrying `first_tick` (tickData's output), so a new client has numbers at once.
  static AdminResponse openStream(int64_t unix_ms, std::string_view first_tick);

 private:
  static void onTimer(uv_timer_t* timer);

  uv_loop_t* loop_;
  AdminServer& server_;
  AdminHandler handler_;
  UvHandle<uv_timer_t> timer_;
};

}  // namespace meshlb::admin
