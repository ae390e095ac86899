resource "patronus_qos_class" "voice" {
  name               = "voice"
  priority           = 1
  dscp               = 46
  guaranteed_percent = 20
  max_percent        = 40
}
