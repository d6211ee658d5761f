# Day-first dates, as Vietnamese agencies write them; every other format is Django's own.
# ISO stays first among the input formats: <input type="date"> values are written with it.
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
