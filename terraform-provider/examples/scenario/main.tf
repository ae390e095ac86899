# A tenant's network: three sites (a hub in Berlin, spokes in Hamburg and Munich) with two WAN
# links each (fiber with a public endpoint, LTE behind NAT), a hub-and-spoke topology, three QoS
# classes, and two policies: voice on the best path within an SLA, bulk on the cheapest. Each
# site gets an enrollment token for the machine that will run its agent.
#
#   export PATRONUS_URL=https://patronus.example.com PATRONUS_TOKEN=ptrn_api_...
#   terraform init && terraform apply
#
# scripts/test-terraform applies it, checks that a second plan shows no change, destroys it, and
# checks that the tenant is empty again.

terraform {
  required_version = ">= 1.5"
  required_providers {
    patronus = {
      source = "patronus-sdwan/patronus"
    }
  }
}

provider "patronus" {}

locals {
  sites = {
    berlin  = { role = "hub", lan = "10.10.0.0/16", public_ip = "198.51.100.10", location = "Berlin, DE" }
    hamburg = { role = "edge", lan = "10.20.0.0/16", public_ip = "198.51.100.20", location = "Hamburg, DE" }
    munich  = { role = "edge", lan = "10.30.0.0/16", public_ip = "198.51.100.30", location = "Munich, DE" }
  }

  links = merge([
    for site, s in local.sites : {
      "${site}/fiber" = {
        site      = site
        name      = "fiber"
        interface = "eth1"
        kind      = "fiber"
        endpoint  = "${s.public_ip}:51820"
        up        = 500
        down      = 1000
        cost      = 0
        priority  = 1
      }
      "${site}/lte" = {
        site      = site
        name      = "lte"
        interface = "wwan0"
        kind      = "lte"
        endpoint  = null # behind NAT
        up        = 20
        down      = 100
        cost      = 10
        priority  = 2
      }
    }
  ]...)
}

resource "patronus_topology" "this" {
  mode                 = "hub_and_spoke"
  persistent_keepalive = 25
}

resource "patronus_site" "site" {
  for_each = local.sites

  name         = each.key
  role         = each.value.role
  location     = each.value.location
  lan_prefixes = [each.value.lan]
  labels = {
    env  = "prod"
    role = each.value.role
  }

  # The topology's overlay prefix can change only while the tenant has no sites.
  depends_on = [patronus_topology.this]
}

resource "patronus_link" "link" {
  for_each = local.links

  site_id             = patronus_site.site[each.value.site].id
  name                = each.value.name
  interface           = each.value.interface
  kind                = each.value.kind
  endpoint            = each.value.endpoint
  bandwidth_up_mbps   = each.value.up
  bandwidth_down_mbps = each.value.down
  cost                = each.value.cost
  priority            = each.value.priority
}

resource "patronus_qos_class" "voice" {
  name               = "voice"
  priority           = 1
  dscp               = 46
  guaranteed_percent = 20
  max_percent        = 40
}

resource "patronus_qos_class" "business" {
  name               = "business"
  priority           = 3
  dscp               = 26
  guaranteed_percent = 40
}

resource "patronus_qos_class" "bulk" {
  name               = "bulk"
  priority           = 8
  dscp               = 8
  guaranteed_percent = 5
  max_percent        = 60
}

resource "patronus_policy" "voice" {
  name     = "voice"
  priority = 10
  match = {
    protocol          = "udp"
    destination_ports = ["5060", "10000-20000"]
  }
  action = {
    qos_class       = patronus_qos_class.voice.name
    path_selection  = "ordered"
    link_preference = ["fiber", "lte"]
    sla = {
      max_latency_ms   = 150
      max_loss_percent = 1
      max_jitter_ms    = 30
    }
  }
  site_selector = { env = "prod" }

  # link_preference names links that must exist.
  depends_on = [patronus_link.link]
}

resource "patronus_policy" "bulk" {
  name     = "bulk"
  priority = 90
  match = {
    protocol             = "tcp"
    destination_prefixes = ["10.10.0.0/16"]
    destination_ports    = ["873", "8000-8999"]
  }
  action = {
    qos_class                  = patronus_qos_class.bulk.name
    path_selection             = "lowest_cost"
    failover_hold_down_seconds = 60
  }
}

resource "patronus_enrollment_token" "site" {
  for_each = patronus_site.site

  site_id     = each.value.id
  description = "agent of ${each.key}"
  ttl_seconds = 86400
}

output "overlay_addresses" {
  value = { for name, site in patronus_site.site : name => site.overlay_address }
}

output "enrollment_tokens" {
  value     = { for name, token in patronus_enrollment_token.site : name => token.token }
  sensitive = true
}
