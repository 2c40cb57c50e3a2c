"""The pages, one module per area. Each view parses its input, calls one selector or service,
and renders; refusals raised by services are mapped once (bangfu.web.errors)."""
