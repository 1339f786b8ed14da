# Writes INPUT as a C++ raw string literal into OUTPUT (for #include in an initializer).
file(READ ${INPUT} CONTENT)
file(WRITE ${OUTPUT} "R\"MESHLB_JSON(${CONTENT})MESHLB_JSON\"\n")
