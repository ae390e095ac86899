data "patronus_site_status" "berlin" {
  site_id = patronus_site.berlin.id
}

check "berlin_online" {
  assert {
    condition     = data.patronus_site_status.berlin.health == "online"
    error_message = "berlin is ${data.patronus_site_status.berlin.health}: ${coalesce(data.patronus_site_status.berlin.reason, "")}"
  }
}
