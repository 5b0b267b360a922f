"""The improvement board's components: a ward's projects, their charts with PDSA cycles, and the forms."""
