package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
)

func idAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: description,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// etagAttribute: the ETag of the last read. Updates and deletions send it as If-Match. It changes
// with every change, so it is unknown in the plan of an update.
func etagAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The object's ETag when Terraform last read it. Updates and deletions send it as " +
			"`If-Match`, so that a change made outside Terraform since is never silently overwritten.",
	}
}

func addImportError(diags *diag.Diagnostics, kind, name string, err error) {
	if errors.Is(err, patronus.ErrNotFound) {
		diags.AddError("Cannot import the "+kind, fmt.Sprintf("There is no %s named %q (import takes an id or a name).", kind, name))
		return
	}
	addAPIError(diags, nil, nil, "look up the "+kind+" "+fmt.Sprintf("%q", name), err)
}
