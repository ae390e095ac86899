# Needs a provider configured with a platform token.
resource "patronus_tenant" "acme" {
  provider = patronus.platform

  name = "Acme Corp"
  slug = "acme"
  quotas = {
    max_users      = 50
    max_api_tokens = 20
    max_sites      = 2000
  }
}
