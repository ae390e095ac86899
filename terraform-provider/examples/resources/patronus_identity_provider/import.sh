# There is one identity provider per tenant: any id imports it. The client secret cannot be read
# back, so keep it in the configuration.
terraform import patronus_identity_provider.this identity-provider
