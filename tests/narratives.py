"""A narrative to write: the narrative form of PRV01 (owned by Bristol City Council in the
shared cast) and a text for each of its parts."""

URL = "/indicators/PRV01/narrative/"
TEXT = {
    "what_data_shows": "Smoking fell again in 2023.",
    "contribution": "Pharmacies joined the service.",
    "limitations": "Survey-based estimate.",
}
