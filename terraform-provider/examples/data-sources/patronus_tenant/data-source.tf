# Needs a provider configured with a platform token.
data "patronus_tenant" "acme" {
  provider = patronus.platform
  slug     = "acme"
}
