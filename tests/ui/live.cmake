# The Live pane: chart, tail, versions growing in the main window, against a real writer.
eventscope_add_test(tst_live SOURCES tst_live.cpp LIBS eventscope_ui eventscope_testsupport)
