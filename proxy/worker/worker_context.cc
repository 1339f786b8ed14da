#include "proxy/worker/worker_context.h"

namespace meshlb {

void WorkerContext::addSession(Session* session) {
  session->previous_session = nullptr;
  session->next_session = sessions;
  if (sessions != nullptr) {
    sessions->previous_session = session;
  }
  sessions = session;
  ++session_count;
}

void WorkerContext::removeSession(Session* session) {
  if (session->previous_session != nullptr) {
    session->previous_session->next_session = session->next_session;
  } else if (sessions == session) {
    sessions = session->next_session;
  }
  if (session->next_session != nullptr) {
    session->next_session->previous_session = session->previous_session;
  }
  session->previous_session = nullptr;
  session->next_session = nullptr;
  --session_count;
}

void allocFromWorkerBuffer(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buffer) {
  auto* worker = static_cast<WorkerContext*>(handle->loop->data);
  // libuv reads into the buffer right after asking for it and calls the read callback before it
  // asks again, so one buffer serves every connection of the loop.
  *buffer = uv_buf_init(worker->read_buffer.get(), WorkerContext::kReadBufferSize);
}

}  // namespace meshlb
