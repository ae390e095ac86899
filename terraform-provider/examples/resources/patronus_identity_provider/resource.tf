# One per tenant; needs an admin token. Register <server URL>/v1/auth/oidc/callback at the provider.
resource "patronus_identity_provider" "this" {
  issuer_url            = "https://login.example.com/realms/acme"
  client_id             = "patronus"
  client_secret         = var.oidc_client_secret
  allowed_email_domains = ["example.com"]
  role_claim            = "groups"
  role_mapping = {
    "net-admins" = "admin"
    "net-ops"    = "operator"
  }
  default_role = "viewer"
}
