# One per tenant.
resource "patronus_topology" "this" {
  mode                 = "hub_and_spoke"
  overlay_prefix       = "100.64.0.0/16"
  persistent_keepalive = 25
}
