"""The pages' forms, one module per area beside web/views/<area>.py."""
