# A tenant is imported by id or by slug (with a platform token).
terraform import -provider=patronus.platform patronus_tenant.acme 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import -provider=patronus.platform patronus_tenant.acme acme
