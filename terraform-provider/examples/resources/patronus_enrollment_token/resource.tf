resource "patronus_enrollment_token" "berlin" {
  site_id     = patronus_site.berlin.id
  description = "edge-berlin-01"
  ttl_seconds = 3600
}

# Hand the secret to the machine, e.g. in cloud-init:
#   patronus-agent enroll --server https://patronus.example.com --token <token>
output "berlin_enrollment_token" {
  value     = patronus_enrollment_token.berlin.token
  sensitive = true
}
