# The audit panel's findings model.
eventscope_add_test(tst_auditfindingsmodel SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_auditfindingsmodel.cpp LIBS eventscope_models)
