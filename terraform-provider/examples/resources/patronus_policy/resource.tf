resource "patronus_policy" "voice" {
  name     = "voice"
  priority = 10
  match = {
    protocol          = "udp"
    destination_ports = ["5060", "10000-20000"]
  }
  action = {
    qos_class       = patronus_qos_class.voice.name
    path_selection  = "ordered"
    link_preference = ["fiber", "lte"]
    sla = {
      max_latency_ms   = 150
      max_loss_percent = 1
      max_jitter_ms    = 30
    }
    failover_hold_down_seconds = 10
  }
  site_selector = {
    env = "prod"
  }

  # link_preference names links: create them first.
  depends_on = [patronus_link.berlin_fiber, patronus_link.berlin_lte]
}
