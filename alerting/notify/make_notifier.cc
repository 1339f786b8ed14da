#include "alerting/notify/alertmanager_notifier.h"
#include "alerting/notify/notifier.h"
#include "alerting/notify/webhook_notifier.h"

namespace meshlb::alerting {

std::unique_ptr<Notifier> makeNotifier(const NotifierConfig& config, std::string external_url,
                                       Notifier::DeliveredFn on_delivered) {
  switch (config.type) {
    case NotifierConfig::Type::kAlertmanager:
      return std::make_unique<AlertmanagerNotifier>(config, std::move(on_delivered));
    case NotifierConfig::Type::kWebhook:
      return std::make_unique<WebhookNotifier>(config, std::move(external_url),
                                               std::move(on_delivered));
  }
  return nullptr;
}

}  // namespace meshlb::alerting
