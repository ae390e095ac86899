# The intranet, recognised by its names and its addresses.
resource "patronus_application" "intranet" {
  name        = "intranet"
  category    = "business"
  description = "The intranet portal"
  domains     = ["intranet.example.com", "*.intranet.example.com"]
  prefixes    = ["10.20.0.0/16"]
}

# A licence server, recognised by its TCP ports.
resource "patronus_application" "flexlm" {
  name     = "flexlm"
  category = "business"
  protocol = "tcp"
  ports    = ["27000-27009"]
}

# A policy names the application by reference, so that Terraform changes the policy before it
# deletes or renames the application (which the server refuses while a policy names it).
resource "patronus_policy" "intranet" {
  name     = "intranet"
  priority = 20
  match = {
    application = patronus_application.intranet.name
  }
  action = {
    path_selection = "lowest_latency"
  }
}
