#include "proxy/http/http1_decoder.h"

#include <cstring>

namespace meshlb::http {
namespace {

Http1Decoder& self(llhttp_t* parser) {
  return *static_cast<Http1Decoder*>(parser->data);
}

}  // namespace

const llhttp_settings_t& Http1Decoder::sharedSettings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t built;
    llhttp_settings_init(&built);
    built.on_message_begin = &Http1Decoder::onMessageBegin;
    built.on_url = &Http1Decoder::onUrl;
    built.on_status = &Http1Decoder::onStatus;
    built.on_header_field = &Http1Decoder::onHeaderField;
    built.on_header_value = &Http1Decoder::onHeaderValue;
    built.on_headers_complete = &Http1Decoder::onHeadersComplete;
    built.on_body = &Http1Decoder::onBody;
    built.on_message_complete = &Http1Decoder::onMessageComplete;
    return built;
  }();
  return settings;
}

Http1Decoder::Http1Decoder(Kind kind, DecoderCallbacks& callbacks, const config::HttpLimits& limits)
    : kind_(kind), callbacks_(&callbacks), limits_(limits) {
  restart(callbacks, limits);
}

void Http1Decoder::restart(DecoderCallbacks& callbacks, const config::HttpLimits& limits) {
  callbacks_ = &callbacks;
  limits_ = limits;
  llhttp_init(&parser_, kind_ == Kind::kRequest ? HTTP_REQUEST : HTTP_RESPONSE, &sharedSettings());
  parser_.data = this;
  scanner_.reset();
  if (strings_ != nullptr) {
    head_.clearAndRecycle(*strings_);
  } else {
    head_.clear();
  }
  error_status_ = kind_ == Kind::kResponse ? 502 : 400;
  error_reason_ = {};
  stopped_ = false;
  failed_by_check_ = false;
  in_message_ = false;
  head_done_ = false;
}

int Http1Decoder::fail(int status, std::string_view reason) {
  failed_by_check_ = true;
  // An upstream's malformed answer is the gateway's problem (502), never the client's.
  error_status_ = kind_ == Kind::kResponse ? 502 : status;
  error_reason_ = reason;
  return HPE_USER;
}

Http1Decoder::Result Http1Decoder::decode(const char* data, size_t length) {
  Result result;
  if (length == 0) {
    return result;
  }
  if (!scanner_.headComplete()) {
    HeadScanner::Outcome outcome = scanner_.scan(data, length);
    if (!outcome.ok) {
      fail(400, outcome.reason);
      result.status = Result::Status::kError;
      return result;
    }
  }
  in_message_ = true;
  llhttp_errno_t error = llhttp_execute(&parser_, data, length);
  switch (error) {
    case HPE_OK:
      result.consumed = length;
      return result;
    case HPE_PAUSED:
    case HPE_PAUSED_UPGRADE: {
      result.consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
      if (error == HPE_PAUSED) {
        llhttp_resume(&parser_);
      } else {
        llhttp_resume_after_upgrade(&parser_);
      }
      result.status = stopped_ ? Result::Status::kStopped : Result::Status::kMessageComplete;
      return result;
    }
    default:
      result.status = Result::Status::kError;
      if (failed_by_check_) {
        return result;  // llhttp reports our callback's refusal as its own code; keep ours
      }
      error_reason_ = llhttp_get_error_reason(&parser_) != nullptr
                          ? llhttp_get_error_reason(&parser_)
                          : llhttp_errno_name(error);
      error_status_ = kind_ == Kind::kResponse ? 502 : 400;
      return result;
  }
}

bool Http1Decoder::finishOnEof() {
  if (!in_message_) {
    return false;
  }
  bool was_in_message = in_message_;
  llhttp_errno_t error = llhttp_finish(&parser_);
  if (error == HPE_PAUSED) {
    llhttp_resume(&parser_);
    return was_in_message && !in_message_;
  }
  return false;
}

int Http1Decoder::onMessageBegin(llhttp_t* parser) {
  Http1Decoder& decoder = self(parser);
  decoder.head_.clear();
  if (decoder.strings_ != nullptr) {
    decoder.head_.takeBuffer(*decoder.strings_);
  }
  decoder.head_done_ = false;
  decoder.stopped_ = false;
  return 0;
}

int Http1Decoder::onUrl(llhttp_t* parser, const char* at, size_t length) {
  Http1Decoder& decoder = self(parser);
  decoder.head_.appendUrl(at, length);
  // llhttp has parsed the method before the URL; "METHOD SP URL SP HTTP/1.1" is the line.
  size_t method_length =
      strlen(llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(parser))));
  if (method_length + 1 + decoder.head_.urlLength() + 9 > decoder.limits_.max_request_line_bytes) {
    return decoder.fail(431, "request line too long");
  }
  return 0;
}

int Http1Decoder::onStatus(llhttp_t* parser, const char* at, size_t length) {
  Http1Decoder& decoder = self(parser);
  decoder.head_.appendUrl(at, length);  // the reason phrase shares the start-line slot
  if (decoder.head_.urlLength() > decoder.limits_.max_request_line_bytes) {
    return decoder.fail(502, "status line too long");
  }
  return 0;
}

int Http1Decoder::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
  Http1Decoder& decoder = self(parser);
  if (decoder.head_done_) {
    return 0;  // trailer fields of a chunked body: not forwarded, only bounded by the parser
  }
  size_t before = decoder.head_.headerCount();
  decoder.head_.appendName(at, length);
  if (decoder.head_.headerCount() > decoder.limits_.max_headers &&
      before < decoder.head_.headerCount()) {
    return decoder.fail(431, "too many header fields");
  }
  if (decoder.head_.storedBytes() > decoder.limits_.max_header_bytes) {
    return decoder.fail(431, "header section too large");
  }
  return 0;
}

int Http1Decoder::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  Http1Decoder& decoder = self(parser);
  if (decoder.head_done_) {
    return 0;
  }
  decoder.head_.appendValue(at, length);
  if (decoder.head_.storedBytes() > decoder.limits_.max_header_bytes) {
    return decoder.fail(431, "header section too large");
  }
  return 0;
}

int Http1Decoder::validateHeaderNames() {
  for (size_t i = 0; i < head_.headerCount(); ++i) {
    if (!isToken(head_.name(i))) {
      return fail(400, "invalid header field name");
    }
  }
  return 0;
}

int Http1Decoder::validateTransferEncoding() {
  // RFC 9112 §6.3: a request's codings must end with exactly one "chunked".
  size_t codings = 0;
  bool chunked_last = false;
  bool chunked_earlier = false;
  for (size_t i = 0; i < head_.headerCount(); ++i) {
    if (!equalsIgnoreCase(head_.name(i), "transfer-encoding")) {
      continue;
    }
    forEachListElement(head_.value(i), [&](std::string_view coding) {
      chunked_earlier = chunked_earlier || chunked_last;
      chunked_last = equalsIgnoreCase(coding, "chunked");
      ++codings;
    });
  }
  if (codings > 0 && (!chunked_last || chunked_earlier)) {
    return fail(400, "Transfer-Encoding must end with a single chunked");
  }
  return 0;
}

int Http1Decoder::validateRequestHead(HeadInfo& info) {
  if (head_.version_major != 1 || head_.version_minor > 1) {
    return fail(400, "unsupported HTTP version");
  }
  size_t hosts = head_.count("host");
  if (head_.version_minor == 1 && hosts != 1) {
    return fail(400, hosts == 0 ? "missing Host header" : "repeated Host header");
  }
  if (hosts > 1) {
    return fail(400, "repeated Host header");
  }
  if (head_.version_minor == 0 && head_.find("transfer-encoding")) {
    return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  }
  // llhttp reports a bad Transfer-Encoding only after on_headers_complete, when the request
  // would already be on its way; check here so it is refused before routing.
  if (int rc = validateTransferEncoding(); rc != 0) {
    return rc;
  }
  if (auto expect = head_.find("expect")) {
    info.expect_continue = equalsIgnoreCase(*expect, "100-continue");
  }
  return 0;
}

int Http1Decoder::onHeadersComplete(llhttp_t* parser) {
  Http1Decoder& decoder = self(parser);
  MessageHead& head = decoder.head_;
  head.finishHeader();
  head.version_major = parser->http_major;
  head.version_minor = parser->http_minor;
  head.method = parser->method;
  head.status = parser->status_code;
  decoder.head_done_ = true;

  HeadInfo info;
  info.keep_alive = llhttp_should_keep_alive(parser) != 0;
  info.chunked = (parser->flags & F_CHUNKED) != 0;
  if ((parser->flags & F_CONTENT_LENGTH) != 0) {
    info.content_length = parser->content_length;
    info.has_body_framing = true;
  }
  info.has_body_framing = info.has_body_framing || info.chunked;
  info.upgrade = parser->upgrade != 0;

  if (int rc = decoder.validateHeaderNames(); rc != 0) {
    return rc;
  }
  if (decoder.kind_ == Kind::kRequest) {
    if (int rc = decoder.validateRequestHead(info); rc != 0) {
      return rc;
    }
  } else if (head.version_major != 1) {
    return decoder.fail(502, "unsupported HTTP version in response");
  }

  // A 1xx, 204 or 304 response has no body whatever its Content-Length says (RFC 9110 6.4.1);
  // llhttp leaves that to the caller. After a 101 the bytes belong to the switched protocol,
  // with or without Upgrade headers: they are the tunnel's, never this message's body.
  const bool bodiless_response =
      decoder.kind_ == Kind::kResponse &&
      ((head.status >= 100 && head.status < 200) || head.status == 204 || head.status == 304);
  switch (decoder.callbacks_->onHead(head, info)) {
    case HeadAction::kContinue:
      return bodiless_response ? 1 : 0;
    case HeadAction::kSkipBody:
      return 1;
    case HeadAction::kStop:
      decoder.stopped_ = true;
      return HPE_PAUSED;
  }
  return 0;
}

int Http1Decoder::onBody(llhttp_t* parser, const char* at, size_t length) {
  self(parser).callbacks_->onBody(at, length);
  return 0;
}

int Http1Decoder::onMessageComplete(llhttp_t* parser) {
  Http1Decoder& decoder = self(parser);
  decoder.in_message_ = false;
  decoder.scanner_.reset();
  decoder.callbacks_->onMessageComplete();
  return HPE_PAUSED;  // one message at a time: the owner resumes when it is ready
}

}  // namespace meshlb::http
