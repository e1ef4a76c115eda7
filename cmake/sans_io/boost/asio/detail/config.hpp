// Put first on the include path of every sans-IO target (cmake/SansIo.cmake):
// every Boost.Asio header includes this one, so engine code that reaches
// Boost.Asio, directly or through another header, fails to compile here.
#error "sans-IO code must not include Boost.Asio: take a Transport, Timer or time value instead"
