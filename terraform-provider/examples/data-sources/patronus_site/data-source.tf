data "patronus_site" "berlin" {
  name = "berlin"
}

output "berlin_overlay_address" {
  value = data.patronus_site.berlin.overlay_address
}
