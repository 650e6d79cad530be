# streams/events/main window tests
eventscope_add_test(tst_mainwindow SOURCES tst_mainwindow.cpp LIBS eventscope_ui eventscope_testsupport)
eventscope_add_test(tst_uniformtableview SOURCES tst_uniformtableview.cpp LIBS eventscope_ui)
