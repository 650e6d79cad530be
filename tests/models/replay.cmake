# replay view models
eventscope_add_test(tst_statediffmodel SOURCES tst_statediffmodel.cpp LIBS eventscope_models)
