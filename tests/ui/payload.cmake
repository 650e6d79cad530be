# payload pane tests
eventscope_add_test(tst_payloadview SOURCES tst_payloadview.cpp LIBS eventscope_ui)
