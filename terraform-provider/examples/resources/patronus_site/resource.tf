resource "patronus_site" "berlin" {
  name         = "berlin"
  description  = "Headquarters"
  location     = "Berlin, DE"
  role         = "hub"
  lan_prefixes = ["10.1.0.0/16", "fd00:1::/64"]
  labels = {
    env    = "prod"
    region = "eu"
  }
}
