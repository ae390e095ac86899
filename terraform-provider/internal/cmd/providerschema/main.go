// Command providerschema prints the provider's schema as `terraform providers schema -json`
// would, without a Terraform binary: scripts/generate-docs feeds it to tfplugindocs, so that the
// documentation is the same whichever Terraform or OpenTofu is installed, or none.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/patronus-sdwan/patronus/terraform-provider/internal/provider"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
}

func run() error {
	server, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return err
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
	}
	ps := &tfjson.ProviderSchema{
		ConfigSchema:      convertSchema(resp.Provider),
		ResourceSchemas:   map[string]*tfjson.Schema{},
		DataSourceSchemas: map[string]*tfjson.Schema{},
	}
	for name, s := range resp.ResourceSchemas {
		ps.ResourceSchemas[name] = convertSchema(s)
	}
	for name, s := range resp.DataSourceSchemas {
		ps.DataSourceSchemas[name] = convertSchema(s)
	}
	// tfplugindocs finds the schema under the provider's short name.
	out := tfjson.ProviderSchemas{FormatVersion: "1.0", Schemas: map[string]*tfjson.ProviderSchema{"patronus": ps}}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func convertSchema(s *tfprotov6.Schema) *tfjson.Schema {
	if s == nil {
		return nil
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: convertBlock(s.Block)}
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

func convertBlock(b *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	out := &tfjson.SchemaBlock{
		Attributes:      map[string]*tfjson.SchemaAttribute{},
		NestedBlocks:    map[string]*tfjson.SchemaBlockType{},
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	for _, a := range b.Attributes {
		out.Attributes[a.Name] = convertAttribute(a)
	}
	if len(b.BlockTypes) > 0 {
		panic("the provider has no blocks; teach providerschema about them")
	}
	return out
}

func convertAttribute(a *tfprotov6.SchemaAttribute) *tfjson.SchemaAttribute {
	out := &tfjson.SchemaAttribute{
		Description:     a.Description,
		DescriptionKind: descriptionKind(a.DescriptionKind),
		Deprecated:      a.Deprecated,
		Required:        a.Required,
		Optional:        a.Optional,
		Computed:        a.Computed,
		Sensitive:       a.Sensitive,
		WriteOnly:       a.WriteOnly,
	}
	if a.NestedType != nil {
		nested := &tfjson.SchemaNestedAttributeType{Attributes: map[string]*tfjson.SchemaAttribute{}}
		for _, na := range a.NestedType.Attributes {
			nested.Attributes[na.Name] = convertAttribute(na)
		}
		switch a.NestedType.Nesting {
		case tfprotov6.SchemaObjectNestingModeSingle:
			nested.NestingMode = tfjson.SchemaNestingModeSingle
		case tfprotov6.SchemaObjectNestingModeList:
			nested.NestingMode = tfjson.SchemaNestingModeList
		case tfprotov6.SchemaObjectNestingModeSet:
			nested.NestingMode = tfjson.SchemaNestingModeSet
		case tfprotov6.SchemaObjectNestingModeMap:
			nested.NestingMode = tfjson.SchemaNestingModeMap
		}
		out.AttributeNestedType = nested
	} else {
		out.AttributeType = ctyType(a.Type)
	}
	return out
}

func ctyType(t tftypes.Type) cty.Type {
	switch tt := t.(type) {
	case tftypes.List:
		return cty.List(ctyType(tt.ElementType))
	case tftypes.Set:
		return cty.Set(ctyType(tt.ElementType))
	case tftypes.Map:
		return cty.Map(ctyType(tt.ElementType))
	case tftypes.Object:
		names := make([]string, 0, len(tt.AttributeTypes))
		for n := range tt.AttributeTypes {
			names = append(names, n)
		}
		sort.Strings(names)
		attrs := make(map[string]cty.Type, len(names))
		for _, n := range names {
			attrs[n] = ctyType(tt.AttributeTypes[n])
		}
		return cty.Object(attrs)
	}
	switch {
	case t.Equal(tftypes.String):
		return cty.String
	case t.Equal(tftypes.Number):
		return cty.Number
	case t.Equal(tftypes.Bool):
		return cty.Bool
	case t.Equal(tftypes.DynamicPseudoType):
		return cty.DynamicPseudoType
	}
	panic(fmt.Sprintf("providerschema: no cty type for %s", t))
}
