# The Audit dock against redis-server with planted defects; compares its exported report with eventscope-cli's.
eventscope_add_test(tst_auditpanel SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_auditpanel.cpp LIBS eventscope_ui eventscope_testsupport)
add_dependencies(tst_auditpanel eventscope-cli)
