# bench/terraform.sh applies this with SHAPE=inline: SITES sites (default 1000) with their two WAN
# links inline (patronus_site's `links`, a map keyed by link name): one resource per site, the links
# created with it in one request. The same sites and links as main.tf.
terraform {
  required_providers {
    patronus = {
      source = "patronus-sdwan/patronus"
    }
  }
}

provider "patronus" {}

variable "sites" {
  type    = number
  default = 1000
}

resource "patronus_site" "site" {
  count = var.sites

  name         = format("bench-%04d", count.index)
  lan_prefixes = [cidrsubnet("10.0.0.0/8", 16, count.index)]
  labels = {
    bench = "terraform"
  }
  links = {
    fiber = {
      interface           = "eth1"
      kind                = "fiber"
      endpoint            = format("198.51.%d.%d:51820", floor(count.index / 250), count.index % 250 + 1)
      bandwidth_up_mbps   = 500
      bandwidth_down_mbps = 1000
      priority            = 1
    }
    lte = {
      interface           = "wwan0"
      kind                = "lte"
      bandwidth_up_mbps   = 20
      bandwidth_down_mbps = 100
      cost                = 10
      priority            = 2
    }
  }
}
