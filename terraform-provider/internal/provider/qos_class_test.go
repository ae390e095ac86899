package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestQosClassConversions(t *testing.T) {
	q := &api.QosClass{ID: uuid.New(), Name: "voice", Priority: 1, Dscp: 46, GuaranteedPercent: 20, MaxPercent: 40, Etag: `"2"`}
	m := qosClassFromAPI(q)
	body := m.newQosClass()
	if body.Name != "voice" || body.Priority != 1 || body.Dscp != 46 || body.GuaranteedPercent != 20 || *body.MaxPercent != 40 {
		t.Fatalf("unexpected NewQosClass %+v", body)
	}
	raw, _ := json.Marshal(m.qosClassUpdate())
	want := `{"dscp":46,"guaranteed_percent":20,"max_percent":40,"name":"voice","priority":1}`
	if string(raw) != want {
		t.Fatalf("update %s, want %s", raw, want)
	}
}

func TestQosClassSchemaIsValid(t *testing.T) {
	checkSchema(t, qosClassResourceSchema())
}
