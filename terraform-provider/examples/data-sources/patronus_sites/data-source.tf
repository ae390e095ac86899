# Every site labelled env=prod.
data "patronus_sites" "prod" {
  label = "env=prod"
}

# One enrollment token for each of them.
resource "patronus_enrollment_token" "prod" {
  for_each = toset(data.patronus_sites.prod.ids)
  site_id  = each.value
}
