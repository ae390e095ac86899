# bench/terraform_floor.sh applies this (shape "independent"): as tiny.tf, one number per
# resource, but no resource depends on another.
variable "sites" {
  type    = number
  default = 1000
}

resource "terraform_data" "site" {
  count = var.sites
  input = count.index
}

resource "terraform_data" "fiber" {
  count = var.sites
  input = count.index
}

resource "terraform_data" "lte" {
  count = var.sites
  input = count.index
}
