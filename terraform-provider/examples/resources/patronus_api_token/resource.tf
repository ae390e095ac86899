resource "patronus_api_token" "ci" {
  name       = "ci-pipeline"
  role       = "operator"
  expires_at = "2030-01-31T00:00:00Z"
}

output "ci_token" {
  value     = patronus_api_token.ci.token
  sensitive = true
}
