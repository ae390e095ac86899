# Two spokes that talk a lot peer directly, whatever the topology mode.
resource "patronus_peering" "hamburg_munich" {
  site_a = patronus_site.hamburg.id
  site_b = patronus_site.munich.id
}
