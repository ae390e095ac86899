data "patronus_site_config" "berlin" {
  site_id = patronus_site.berlin.id
}

output "berlin_peers" {
  value = [for p in data.patronus_site_config.berlin.peers : p.site_name]
}

output "berlin_qos_classes" {
  value = jsondecode(data.patronus_site_config.berlin.document).qos_classes
}
