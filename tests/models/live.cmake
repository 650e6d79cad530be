# live chart and tail models
eventscope_add_test(tst_liveratemodel SOURCES tst_liveratemodel.cpp LIBS eventscope_models)
eventscope_add_test(tst_livetailmodel SOURCES tst_livetailmodel.cpp LIBS eventscope_models)
