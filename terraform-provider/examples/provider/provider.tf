terraform {
  required_providers {
    patronus = {
      source = "patronus-sdwan/patronus"
    }
  }
}

# A tenant API token (ptrn_api_...). Both settings may come from the environment instead:
# PATRONUS_URL and PATRONUS_TOKEN.
provider "patronus" {
  url   = "https://patronus.example.com"
  token = var.patronus_token
}

# With a platform token (ptrn_plat_...), for patronus_tenant.
provider "patronus" {
  alias = "platform"
  url   = "https://patronus.example.com"
  token = var.patronus_platform_token
}

variable "patronus_token" {
  type      = string
  sensitive = true
}

variable "patronus_platform_token" {
  type      = string
  sensitive = true
}
